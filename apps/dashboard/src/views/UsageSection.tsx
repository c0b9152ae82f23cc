import { Card, Failed, Kpi, WithheldNote } from '../components/common';
import type { ApiError } from '../lib/api-client';
import type { GroupBy, UsageMetricsAnswer } from '../lib/api-types';
import { formatCount, formatRate, NO_VALUE } from '../lib/format';
import { groupLabel, lastDay } from '../lib/period';
import { widenedPeriod } from '../lib/privacy-note';
import { activeUsersLabel, type CombinedUsage, combineUsageRows, formatSpend, formatSpendAmount, hasUsage, usageGroupBy, usageQuery } from '../lib/usage';
import { useApi } from '../lib/use-api';

/**
 * AI adoption and spend (GET /v1/metrics/usage) for the period, team and grouping of the rework figures beside it;
 * usage has no task type, so grouped by task type it shows the total only.
 */
export function UsageSection(props: {
  apiKey: string;
  onBadKey: (error: ApiError) => void;
  range: { from: string; to: string };
  team?: string;
  groupBy: GroupBy;
  groupName: string;
}) {
  const by = usageGroupBy(props.groupBy);
  const base = { ...props.range, team: props.team };
  const paths = [`/v1/metrics/usage?${usageQuery(base)}`, ...(by ? [`/v1/metrics/usage?${usageQuery({ ...base, groupBy: by })}`] : [])];
  const loaded = useApi<UsageMetricsAnswer[]>(paths, props.apiKey, props.onBadKey);
  return (
    <div className="usage">
      <Card wide title={`AI adoption and spend${props.team ? ` in team ${props.team}` : ''}`} subtitle="From the tools' usage reports and telemetry, for the same period: usage never enters the rework rate" testId="usage-section">
        {loaded.state === 'loading' && (
          <div className="state loading" role="status" aria-busy="true" data-testid="usage-loading">
            <span className="spinner" aria-hidden="true" /> Loading usage…
          </div>
        )}
        {loaded.state === 'failed' && <Failed error={loaded.error} retry={loaded.retry} />}
        {loaded.state === 'ready' && <UsageContent total={loaded.data[0]} breakdown={by ? loaded.data[1] : undefined} asked={props.range} team={props.team} groupBy={props.groupBy} groupName={props.groupName} />}
      </Card>
    </div>
  );
}

function UsageContent(props: { total: UsageMetricsAnswer; breakdown?: UsageMetricsAnswer; asked: { from: string; to: string }; team?: string; groupBy: GroupBy; groupName: string }) {
  const { total: totalAnswer, breakdown } = props;
  if (!hasUsage(totalAnswer)) {
    return (
      <div className="state empty" data-testid="usage-empty">
        No usage recorded for {props.team ? `team ${props.team}` : 'your organisation'} in this period: <a href="#/connect">connect your tools</a> (Claude Code, any
        OpenTelemetry SDK, the GitHub Copilot import).
      </div>
    );
  }
  const total = combineUsageRows(totalAnswer.rows)[0] as CombinedUsage | undefined;
  const widened = widenedPeriod(totalAnswer, props.asked);
  return (
    <div data-testid="usage-content">
      <p className="note" data-testid="usage-period-note">
        Usage days from {totalAnswer.from.slice(0, 10)} to {lastDay(totalAnswer.to)} (UTC){widened ? ', whole months (groups are protected per month)' : ''} · spend per currency, never
        added across currencies
      </p>
      {total ? (
        <div className="kpis" data-testid="usage-kpis">
          <Kpi id="usage-activeUsers" label={activeUsersLabel(total)} text={formatCount(total.activeUsers)} value={total.activeUsers} hint="Distinct people with usage of an AI tool" />
          <Kpi id="usage-acceptanceRate" label="Acceptance rate" text={formatRate(total.acceptanceRate)} value={total.acceptanceRate} hint="Suggestions accepted / suggestions shown" />
          <Kpi id="usage-requests" label="Requests" text={formatCount(total.requests)} value={total.requests} hint="Prompts and chat turns made by people" />
          {total.spend.length === 0 ? (
            <Kpi id="usage-spend" label="Spend" text={NO_VALUE} value={null} hint="No cost or licence seats recorded" />
          ) : (
            total.spend.map((spend) => <Kpi key={spend.currency} id={`usage-spend-${spend.currency}`} label={`Spend (${spend.currency})`} text={formatSpendAmount(spend)} value={spend.amount} hint="Usage cost and licence seats" />)
          )}
        </div>
      ) : null}
      <WithheldNote answer={totalAnswer} testId="usage-withheld-total" />
      {props.groupBy === 'taskType' ? (
        <p className="note" data-testid="usage-no-task-type">
          Usage has no task type: it is shown for {props.team ? `team ${props.team}` : 'the whole organisation'}, not by task type.
        </p>
      ) : (
        breakdown && <UsageTable answer={breakdown} groupBy={props.groupBy} groupName={props.groupName} />
      )}
    </div>
  );
}

function UsageTable(props: { answer: UsageMetricsAnswer; groupBy: GroupBy; groupName: string }) {
  const { answer } = props;
  const rows = combineUsageRows(answer.rows).sort((a, b) => b.activeUsers - a.activeUsers || String(a.group).localeCompare(String(b.group)));
  const suppressed = answer.suppressed;
  const months = rows.some((row) => row.buckets > 1);
  return (
    <div className="table-scroll">
      <WithheldNote answer={answer} testId="usage-withheld-breakdown" />
      <table data-testid="usage-table">
        <thead>
          <tr>
            <th scope="col">{props.groupName.charAt(0).toUpperCase() + props.groupName.slice(1)}</th>
            <th scope="col">{months ? 'Active users (most in a month)' : 'Active users'}</th>
            <th scope="col">Acceptance rate</th>
            <th scope="col">Requests</th>
            <th scope="col">Spend</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.group ?? ''} data-testid="usage-row" data-group={row.group ?? ''}>
              <th scope="row">{groupLabel(props.groupBy, row.group)}</th>
              <td data-field="activeUsers">{formatCount(row.activeUsers)}</td>
              <td data-field="acceptanceRate">{formatRate(row.acceptanceRate)}</td>
              <td data-field="requests">{formatCount(row.requests)}</td>
              <td data-field="spend">{formatSpend(row.spend)}</td>
            </tr>
          ))}
          {suppressed && (
            <tr className="suppressed" data-testid="usage-suppressed-row">
              <th scope="row" title="Groups of fewer people than the tenant's privacy threshold, and the groups withheld so that they cannot be worked out by subtraction, are summed here (a person in two of them counts twice).">
                {suppressed.rows} small group{suppressed.rows === 1 ? '' : 's'} (suppressed for privacy)
              </th>
              <td>{formatCount(suppressed.activeUsers)}</td>
              <td>{formatRate(suppressed.acceptanceRate)}</td>
              <td>{formatCount(suppressed.requests)}</td>
              <td>{formatSpend(suppressed.spend)}</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

