import { type ReactNode, useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Card, COLORS, Empty, Failed, Kpi, Loading, Select, WithheldNote } from '../components/common';
import type { ApiError } from '../lib/api-client';
import type { Bucket, GroupBy, ReworkMetricsAnswer } from '../lib/api-types';
import { formatBucket, formatCount, formatHours, formatMoney, formatRate, NO_VALUE } from '../lib/format';
import { defaultBucket, groupLabel, lastDay, operationsHeadline, PERIODS, periodRange, reworkQuery } from '../lib/period';
import { widenedPeriod, withheldNote } from '../lib/privacy-note';
import { useApi } from '../lib/use-api';
import { NetValueSection } from './NetValueSection';
import { UsageSection } from './UsageSection';

const GROUP_BYS: readonly { value: GroupBy; label: string }[] = [
  { value: 'team', label: 'Team' },
  { value: 'tool', label: 'Tool' },
  { value: 'taskType', label: 'Task type' },
  { value: 'model', label: 'Model' },
];
const BUCKETS: readonly { value: Bucket; label: string }[] = [
  { value: 'day', label: 'Day' },
  { value: 'week', label: 'Week' },
  { value: 'month', label: 'Month' },
];

export type OperationsFilters = { days: number; bucket?: Bucket; groupBy?: GroupBy; team?: string };

/** Where time is lost to rework: headline figures, trends, and the breakdown by team, tool, task type or model. */
export function OperationsView(props: { apiKey: string; filters: OperationsFilters; onFilters: (filters: OperationsFilters) => void; onBadKey: (error: ApiError) => void; now: Date }) {
  const { filters, onFilters } = props;
  const period = PERIODS.find((candidate) => candidate.days === filters.days) ?? PERIODS[1];
  const bucket = filters.bucket ?? defaultBucket(period.days);
  const team = filters.team;
  const groupBy: GroupBy = filters.groupBy && !(team && filters.groupBy === 'team') ? filters.groupBy : team ? 'taskType' : 'team';
  const range = useMemo(() => periodRange(period.days, props.now, bucket), [period.days, props.now, bucket]);
  const base = { ...range, team };
  const loaded = useApi<[ReworkMetricsAnswer, ReworkMetricsAnswer, ReworkMetricsAnswer, ReworkMetricsAnswer]>(
    [
      `/v1/metrics/rework?${reworkQuery(base)}`,
      `/v1/metrics/rework?${reworkQuery({ ...base, bucket })}`,
      `/v1/metrics/rework?${reworkQuery({ ...base, groupBy })}`,
      `/v1/metrics/rework?${reworkQuery({ ...base, groupBy: team ? 'tool' : 'team' })}`,
    ],
    props.apiKey,
    props.onBadKey,
  );
  const set = (changes: Partial<OperationsFilters>) => onFilters({ ...filters, ...changes });

  return (
    <div className="view" data-testid="operations-view" data-from={range.from} data-to={range.to} data-group-by={groupBy} data-bucket={bucket} data-team={team ?? ''}>
      <div className="filters" role="group" aria-label="Filters">
        <Select
          label="Period"
          testId="filter-period"
          value={String(period.days)}
          options={PERIODS.map((p) => ({ value: String(p.days), label: p.label }))}
          onChange={(days) => set({ days: Number(days), bucket: undefined })}
        />
        <Select label="Over time by" testId="filter-bucket" value={bucket} options={BUCKETS} onChange={(value) => set({ bucket: value })} />
        <Select
          label="Break down by"
          testId="filter-group-by"
          value={groupBy}
          options={team ? GROUP_BYS.filter((option) => option.value !== 'team') : GROUP_BYS}
          onChange={(value) => set({ groupBy: value })}
        />
        {team && (
          <div className="drill" data-testid="drill-down">
            <button type="button" className="link" onClick={() => set({ team: undefined, groupBy: 'team' })}>
              All teams
            </button>
            <span aria-hidden="true"> › </span>
            <b>Team {team}</b>
          </div>
        )}
      </div>
      {loaded.state === 'loading' && <Loading what="rework metrics" />}
      {loaded.state === 'failed' && <Failed error={loaded.error} retry={loaded.retry} />}
      {/* Without admin the answer comes per month, whatever bucket was asked (docs/privacy.md): label what came. */}
      {loaded.state === 'ready' && (
        <OperationsContent
          data={loaded.data}
          asked={range}
          periodLabel={period.label}
          bucket={loaded.data[1].bucket ?? bucket}
          groupBy={groupBy}
          team={team}
          onDrill={(value) => set({ team: value, groupBy: 'taskType' })}
          usage={<UsageSection apiKey={props.apiKey} onBadKey={props.onBadKey} range={range} team={team} groupBy={groupBy} groupName={groupNameOf(groupBy)} />}
          netValue={<NetValueSection apiKey={props.apiKey} onBadKey={props.onBadKey} range={range} team={team} />}
        />
      )}
    </div>
  );
}

function OperationsContent(props: {
  data: [ReworkMetricsAnswer, ReworkMetricsAnswer, ReworkMetricsAnswer, ReworkMetricsAnswer];
  /** The period asked for (a caller without admin gets whole periods around it). */
  asked: { from: string; to: string };
  periodLabel: string;
  bucket: Bucket;
  groupBy: GroupBy;
  team?: string;
  onDrill: (team: string) => void;
  /** Adoption and spend for the same period and grouping, shown beside the rework figures. */
  usage: ReactNode;
  /** Net AI value (time saved − rework − spend) for the same period and team. */
  netValue: ReactNode;
}) {
  const [totalAnswer, series, breakdown, secondary] = props.data;
  const currency = totalAnswer.currency;
  const total = totalAnswer.rows[0];
  if (!total && totalAnswer.suppressed !== null) {
    // Outputs exist, but the organisation's own total covers too few people to be shown to this key.
    return (
      <>
        <Empty>
          <p data-testid="withheld-everything">{withheldNote(totalAnswer)} An API key with the admin scope sees every figure.</p>
        </Empty>
        {props.usage}
      </>
    );
  }
  if (!total || total.outputs === 0) {
    return (
      <>
        <Empty>
          <p>{operationsHeadline(undefined, currency, props.periodLabel, [], props.team)}</p>
          <p>
            Send events to <code>POST /v1/events</code> (see <a href="/docs">the API documentation</a>), or load a synthetic organisation with{' '}
            <code>npm run cli -- demo load</code>.
          </p>
        </Empty>
        {props.usage}
      </>
    );
  }
  // A caller without admin gets the whole months around the period: the headline says which period its figures cover.
  const widened = widenedPeriod(totalAnswer, props.asked);
  const periodWords = widened ? `In the whole months from ${totalAnswer.from.slice(0, 10)} to ${lastDay(totalAnswer.to)}` : `In the ${props.periodLabel.toLowerCase()}`;
  const headline = operationsHeadline(total, currency, periodWords, props.team ? [] : secondary.rows, props.team);
  const timeline = series.rows.map((row) => ({
    label: formatBucket(row.bucket, props.bucket),
    lostHours: round(row.lostHours),
    reworkRate: row.reworkRate === null ? null : round(row.reworkRate * 100),
    grossSavedHours: round(row.grossSavedHours),
    netSavedHours: round(row.netSavedHours),
  }));
  const groups = [...breakdown.rows].sort((a, b) => b.lostHours - a.lostHours);
  const groupRows = groups.map((row) => ({ label: groupLabel(props.groupBy, row.group), group: row.group ?? '', lostHours: round(row.lostHours), lostCost: round(row.lostCost) }));
  const drillable = props.groupBy === 'team' && !props.team;
  const groupName = groupNameOf(props.groupBy);

  return (
    <>
      <p className="headline" data-testid="operations-headline">
        {headline}
      </p>
      <p className="note period-note" data-testid="period-note">
        Outputs generated from {totalAnswer.from.slice(0, 10)} to {lastDay(totalAnswer.to)} (UTC) · costs in {currency} · metric
        definitions {totalAnswer.metricVersion}
      </p>
      <div className="kpis" data-testid="kpis">
        <Kpi id="outputs" label="AI outputs" text={formatCount(total.outputs)} value={total.outputs} />
        <Kpi id="reworkRate" label="Rework rate" text={formatRate(total.reworkRate)} value={total.reworkRate} hint="Outputs corrected, rewritten or discarded" tone="bad" />
        <Kpi id="lostHours" label="Hours lost to rework" text={formatHours(total.lostHours)} value={total.lostHours} tone="bad" />
        <Kpi id="lostCost" label="Cost of rework" text={formatMoney(total.lostCost, currency)} value={total.lostCost} tone="bad" />
        <Kpi id="grossSavedHours" label="AI time saved (gross)" text={formatHours(total.grossSavedHours)} value={total.grossSavedHours} tone="good" />
        <Kpi id="netSavedHours" label="Net gain after rework" text={formatHours(total.netSavedHours)} value={total.netSavedHours} tone="good" />
      </div>
      <WithheldNote answer={totalAnswer} testId="withheld-total" />
      {props.netValue}
      {props.usage}
      <div className="grid">
        <Card title="Rework rate and hours lost over time" subtitle={`Per ${props.bucket}, by when the AI output was generated; the current ${props.bucket} is still running`} testId="chart-rework-trend">
          <ResponsiveContainer width="100%" height={280}>
            <ComposedChart data={timeline} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="label" tick={{ fontSize: 12 }} minTickGap={12} />
              <YAxis yAxisId="hours" tick={{ fontSize: 12 }} width={48} />
              <YAxis yAxisId="rate" orientation="right" unit="%" tick={{ fontSize: 12 }} width={44} />
              <Tooltip />
              <Legend />
              <Bar yAxisId="hours" dataKey="lostHours" name="Hours lost" fill={COLORS.lost} radius={[3, 3, 0, 0]} isAnimationActive={false} />
              <Line yAxisId="rate" dataKey="reworkRate" name="Rework rate (%)" stroke={COLORS.rate} strokeWidth={2} dot={false} isAnimationActive={false} />
            </ComposedChart>
          </ResponsiveContainer>
          <WithheldNote answer={series} testId="withheld-trend" />
        </Card>
        <Card title="AI time saved versus time lost to rework" subtitle="Gross hours saved, hours lost, and the net gain" testId="chart-net-gain">
          <ResponsiveContainer width="100%" height={280}>
            <ComposedChart data={timeline} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="label" tick={{ fontSize: 12 }} minTickGap={12} />
              <YAxis tick={{ fontSize: 12 }} width={48} />
              <Tooltip />
              <Legend />
              <Bar dataKey="grossSavedHours" name="Saved (gross h)" fill={COLORS.saved} radius={[3, 3, 0, 0]} isAnimationActive={false} />
              <Bar dataKey="lostHours" name="Lost to rework (h)" fill={COLORS.lost} radius={[3, 3, 0, 0]} isAnimationActive={false} />
              <Line dataKey="netSavedHours" name="Net gain (h)" stroke={COLORS.net} strokeWidth={2} dot={false} isAnimationActive={false} />
            </ComposedChart>
          </ResponsiveContainer>
          <WithheldNote answer={series} testId="withheld-net-gain" />
        </Card>
        <Card
          wide
          title={`Hours and cost lost by ${groupName}${props.team ? ` in team ${props.team}` : ''}`}
          subtitle={drillable ? 'Click a team to drill down into its tools and task types.' : undefined}
          testId="chart-breakdown"
        >
          {groupRows.length === 0 ? (
            <Empty>Every group of this period is too small to show on its own (see below).</Empty>
          ) : (
            <div className="pair">
              {(
                [
                  ['lostHours', 'Hours lost', COLORS.lost],
                  ['lostCost', `Cost lost (${currency})`, COLORS.cost],
                ] as const
              ).map(([field, name, color]) => (
                <div key={field}>
                  <h3 className="chart-title">{name}</h3>
                  <ResponsiveContainer width="100%" height={Math.max(140, 34 * groupRows.length + 40)}>
                    <BarChart data={groupRows} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 8 }}>
                      <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                      <XAxis type="number" tick={{ fontSize: 12 }} />
                      <YAxis type="category" dataKey="label" width={130} tick={{ fontSize: 12 }} />
                      <Tooltip />
                      <Bar
                        dataKey={field}
                        name={name}
                        fill={color}
                        isAnimationActive={false}
                        cursor={drillable ? 'pointer' : undefined}
                        onClick={drillable ? (entry) => props.onDrill(String((entry as { payload?: { group?: string } }).payload?.group ?? '')) : undefined}
                      />
                    </BarChart>
                  </ResponsiveContainer>
                </div>
              ))}
            </div>
          )}
          <WithheldNote answer={breakdown} testId="withheld-breakdown" />
          <BreakdownTable answer={breakdown} groupBy={props.groupBy} drillable={drillable} onDrill={props.onDrill} />
        </Card>
      </div>
    </>
  );
}

function BreakdownTable(props: { answer: ReworkMetricsAnswer; groupBy: GroupBy; drillable: boolean; onDrill: (team: string) => void }) {
  const { answer } = props;
  const rows = [...answer.rows].sort((a, b) => b.lostHours - a.lostHours);
  const suppressed = answer.suppressed;
  return (
    <div className="table-scroll">
      <table data-testid="breakdown-table">
        <thead>
          <tr>
            <th scope="col">{GROUP_BYS.find((option) => option.value === props.groupBy)?.label}</th>
            <th scope="col">AI outputs</th>
            <th scope="col">Rework rate</th>
            <th scope="col">Hours lost</th>
            <th scope="col">Cost lost</th>
            <th scope="col">Saved (gross h)</th>
            <th scope="col">Net gain (h)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.group ?? ''} data-testid="breakdown-row" data-group={row.group ?? ''}>
              <th scope="row">
                {props.drillable && row.group ? (
                  <button type="button" className="link" onClick={() => props.onDrill(row.group as string)} data-testid={`drill-${row.group}`}>
                    {groupLabel(props.groupBy, row.group)}
                  </button>
                ) : (
                  groupLabel(props.groupBy, row.group)
                )}
              </th>
              <td data-field="outputs">{formatCount(row.outputs)}</td>
              <td data-field="reworkRate">{formatRate(row.reworkRate)}</td>
              <td data-field="lostHours">{formatHours(row.lostHours)}</td>
              <td data-field="lostCost">{formatMoney(row.lostCost, answer.currency)}</td>
              <td data-field="grossSavedHours">{formatHours(row.grossSavedHours)}</td>
              <td data-field="netSavedHours">{formatHours(row.netSavedHours)}</td>
            </tr>
          ))}
          {suppressed && (
            <tr className="suppressed" data-testid="suppressed-row">
              <th scope="row" title="Groups of fewer people than the tenant's privacy threshold, and the groups withheld so that they cannot be worked out by subtraction, are summed here.">
                {suppressed.rows} small group{suppressed.rows === 1 ? '' : 's'} (suppressed for privacy)
              </th>
              <td>{formatCount(suppressed.outputs)}</td>
              <td>{formatRate(suppressed.reworkRate)}</td>
              <td>{suppressed.lostHours === null ? NO_VALUE : formatHours(suppressed.lostHours)}</td>
              <td>{suppressed.lostCost === null ? NO_VALUE : formatMoney(suppressed.lostCost, answer.currency)}</td>
              <td>{suppressed.grossSavedHours === null ? NO_VALUE : formatHours(suppressed.grossSavedHours)}</td>
              <td>{suppressed.netSavedHours === null ? NO_VALUE : formatHours(suppressed.netSavedHours)}</td>
            </tr>
          )}
        </tbody>
      </table>
      {suppressed && suppressed.outputs === null && (
        <p className="note" data-testid="suppressed-withheld">
          Even the sum of the suppressed groups would show a small group: their figures are withheld.
        </p>
      )}
    </div>
  );
}

/** A grouping as words in a title: "team", "task type". */
const groupNameOf = (groupBy: GroupBy) => GROUP_BYS.find((option) => option.value === groupBy)?.label.toLowerCase() ?? groupBy;


const round = (value: number) => Math.round(value * 10) / 10;
