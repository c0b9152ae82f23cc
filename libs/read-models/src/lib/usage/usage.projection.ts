import { type EmployeeIdentityLinked, normaliseIdentifier, USAGE_FIGURES, type UsageFigure, type UsageRecorded } from '@rework-ledger/domain';
import type { StoredEvent } from '@rework-ledger/event-store';
import type { Projection } from '@rework-ledger/projections';
import type { PoolClient } from 'pg';
import { createIdentityLinksTable, resolvedEmployeeSql, saveIdentityLinks } from '../identity/identity-links';
import { repointIdentifiers } from '../identity/repoint-identifiers';

/** The events the usage read model reads: usage facts, and the identity links that say whose they are. */
export type UsageEvent = UsageRecorded | EmployeeIdentityLinked;

/** The figures summed as numeric in the daily table (money and credits: not integers). */
const MONEY: ReadonlySet<UsageFigure> = new Set(['cost', 'credits']);

/** A figure's column in the `usage` and `usage_daily` tables. */
export const USAGE_COLUMNS: Readonly<Record<UsageFigure, string>> = {
  requests: 'requests',
  suggestions: 'suggestions',
  acceptances: 'acceptances',
  linesSuggested: 'lines_suggested',
  linesAccepted: 'lines_accepted',
  inputTokens: 'input_tokens',
  outputTokens: 'output_tokens',
  cost: 'cost',
  credits: 'credits',
};

type Figures = Partial<Record<UsageFigure, number>>;

/** The latest point of a cumulative series. */
type SeriesState = { start: string; at: number; values: Figures; latePoints: number; changed: boolean };

/** A usage row as stored: one per `usageKey` (the last fact of the key), its figures deltas; who: the fact's normalised identifier. */
type UsageRow = { tenant: string; usageKey: string; identifier: string; teamId: string | null; tool: string; model: string | null; day: string; figures: Figures; currency: string | null };

/**
 * Usage facts (adoption and spend), summed per UTC day, employee, tool, model, team named and currency
 * (`usage_daily`, what the usage metrics read). A reported fact is also kept by its `usageKey`: a later fact with the
 * same key replaces the earlier one (a revised report corrects itself), its day taking the old figures back. A cumulative source's points become deltas here: per series, in the order of
 * the events' time, a point counts its increase over the series' latest point; the first point of a series, a later
 * `seriesStart` or a lower value (a reset: the counter restarted) counts from zero; a point older than the series'
 * latest, or with an earlier `seriesStart` than the series' (an older run), is counted as late (`usage_series.late_points`) and otherwise ignored, and the latest point again is a
 * repeat. A fact's team is resolved at query time (its `teamId`, else the assignment in effect on its day, from the
 * directory the rework read model keeps), so a late `employee.assigned` re-attributes usage.
 * Who: a fact is kept under its normalised identifier (PRODUCT.md, "Identity"; `libs/domain/src/lib/identity.ts`), and
 * each day cell carries the employee that identifier resolves to through the read model's own `identity_links`; a link
 * re-attributes the cells of its identifier (a batch saves its links first, so its facts resolve against them), so
 * a link that arrives after the usage counts it as the employee's, as one that came before would.
 * Applied in store order, live and in a rebuild alike: a rebuild gives the same rows.
 */
export const usageProjection: Projection<UsageEvent> = {
  name: 'usage',
  schema: 'rm_usage',
  version: 3,
  handles: ['ai.usage.recorded', 'employee.identity_linked'],

  async createTables(client: PoolClient, schema: string): Promise<void> {
    await client.query(`
      CREATE TABLE "${schema}".usage (
        tenant text NOT NULL,
        usage_key text NOT NULL,
        identifier text NOT NULL,
        team_id text,
        tool text NOT NULL,
        model text,
        day date NOT NULL,
        ${USAGE_FIGURES.map((figure) => `${USAGE_COLUMNS[figure]} double precision`).join(',\n        ')},
        currency text,
        PRIMARY KEY (tenant, usage_key)
      );
      -- Per UTC day, identifier, tool, model, the fact's own team ('' when it names none: the directory's) and currency
      -- ('' without cost): the sums of the reported facts and of the cumulative series' deltas; facts: how many of them
      -- have usage (a figure above 0), so that a cell is active exactly when some fact of it is. Money in numeric, so
      -- that a replaced fact subtracts exactly what it added. employee_id: the employee the identifier resolves to
      -- (what the queries read), kept up to date by the identity links.
      CREATE TABLE "${schema}".usage_daily (
        tenant text NOT NULL,
        day date NOT NULL,
        identifier text NOT NULL,
        employee_id text NOT NULL,
        tool text NOT NULL,
        model text NOT NULL,
        team_id text NOT NULL,
        currency text NOT NULL,
        ${USAGE_FIGURES.map((figure) => `${USAGE_COLUMNS[figure]} ${MONEY.has(figure) ? 'numeric' : 'double precision'} NOT NULL DEFAULT 0`).join(',\n        ')},
        facts integer NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant, day, identifier, tool, model, team_id, currency)
      );
      CREATE INDEX ON "${schema}".usage_daily (tenant, identifier);
      CREATE TABLE "${schema}".usage_series (
        tenant text NOT NULL,
        series text NOT NULL,
        series_start timestamptz NOT NULL,
        latest_at timestamptz NOT NULL,
        latest jsonb NOT NULL,
        late_points integer NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant, series)
      );
    `);
    await createIdentityLinksTable(client, schema);
  },

  async apply(client: PoolClient, schema: string, events: readonly StoredEvent<UsageEvent>[]): Promise<void> {
    const usage: StoredEvent<UsageRecorded>[] = [];
    const links: StoredEvent<EmployeeIdentityLinked>[] = [];
    for (const event of events) {
      switch (event.type) {
        case 'ai.usage.recorded':
          usage.push(event);
          break;
        case 'employee.identity_linked':
          links.push(event);
          break;
        default:
          break;
      }
    }
    // Links first: a cell's employee depends only on its identifier's latest link, wherever the link falls.
    await repointIdentifiers(client, schema, 'usage_daily', await saveIdentityLinks(client, schema, links));
    if (usage.length > 0) await applyUsage(client, schema, usage);
  },
};

const seriesId = (tenant: string, series: string) => `${tenant}\u0000${series}`;

/**
 * The batch's usage facts: reported facts replace the earlier fact of their key (its part of the day taken back, theirs
 * added); cumulative points become deltas against their series, which add to their day (a point is never revised).
 */
async function applyUsage(client: PoolClient, schema: string, events: readonly StoredEvent<UsageRecorded>[]): Promise<void> {
  const states = await loadSeries(client, schema, events);
  // The last fact of each key wins (store order), as it would one event at a time.
  const reported = new Map<string, UsageRow>();
  const deltas: UsageRow[] = [];
  for (const event of events) {
    const { data } = event;
    const row: UsageRow = {
      tenant: event.tenant,
      usageKey: data.usageKey,
      identifier: normaliseIdentifier(data.employeeId),
      teamId: data.teamId ?? null,
      tool: data.tool,
      model: data.model ?? null,
      day: data.day,
      figures: figuresOf(data),
      currency: data.cost != null ? (data.currency ?? null) : null,
    };
    if (data.cumulative === true && data.series != null && data.seriesStart != null) {
      const delta = deltaOf(states, seriesId(event.tenant, data.series), data.seriesStart, event.time.getTime(), row.figures);
      if (delta !== null) deltas.push({ ...row, figures: delta });
    } else {
      reported.set(seriesId(event.tenant, data.usageKey), row);
    }
  }
  await saveSeries(client, schema, states);
  const replaced = reported.size === 0 ? [] : await replaceFacts(client, schema, [...reported.values()]);
  await addToDays(client, schema, [
    ...replaced.map((row) => ({ row, sign: -1 })),
    ...[...reported.values(), ...deltas].map((row) => ({ row, sign: 1 })),
  ]);
}

const FIGURE_COLUMNS = USAGE_FIGURES.map((figure) => USAGE_COLUMNS[figure]);

/** Upserts reported facts by key; returns the facts they replace (locked, as they were). */
async function replaceFacts(client: PoolClient, schema: string, rows: readonly UsageRow[]): Promise<UsageRow[]> {
  const { rows: old } = await client.query<Record<string, unknown> & { tenant: string; usage_key: string; identifier: string; team_id: string | null; tool: string; model: string | null; day: string; currency: string | null }>(
    `SELECT u.tenant, u.usage_key, u.identifier, u.team_id, u.tool, u.model, to_char(u.day, 'YYYY-MM-DD') AS day, ${FIGURE_COLUMNS.map((column) => `u.${column}`).join(', ')}, u.currency
       FROM "${schema}".usage u JOIN unnest($1::text[], $2::text[]) AS k(tenant, usage_key) USING (tenant, usage_key)
      ORDER BY u.tenant, u.usage_key
        FOR UPDATE OF u`,
    [rows.map((row) => row.tenant), rows.map((row) => row.usageKey)],
  );
  await client.query(
    `INSERT INTO "${schema}".usage (tenant, usage_key, identifier, team_id, tool, model, day, ${FIGURE_COLUMNS.join(', ')}, currency)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[],
                          ${FIGURE_COLUMNS.map((_, i) => `$${8 + i}::float8[]`).join(', ')}, $${8 + FIGURE_COLUMNS.length}::text[])
     ON CONFLICT (tenant, usage_key) DO UPDATE SET
       identifier = EXCLUDED.identifier, team_id = EXCLUDED.team_id, tool = EXCLUDED.tool, model = EXCLUDED.model, day = EXCLUDED.day,
       ${FIGURE_COLUMNS.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}, currency = EXCLUDED.currency`,
    [
      rows.map((row) => row.tenant),
      rows.map((row) => row.usageKey),
      rows.map((row) => row.identifier),
      rows.map((row) => row.teamId),
      rows.map((row) => row.tool),
      rows.map((row) => row.model),
      rows.map((row) => row.day),
      ...USAGE_FIGURES.map((figure) => rows.map((row) => row.figures[figure] ?? null)),
      rows.map((row) => row.currency),
    ],
  );
  return old.map((row) => ({
    tenant: row.tenant,
    usageKey: row.usage_key,
    identifier: row.identifier,
    teamId: row.team_id,
    tool: row.tool,
    model: row.model,
    day: row.day,
    figures: Object.fromEntries(USAGE_FIGURES.filter((figure) => row[USAGE_COLUMNS[figure]] !== null).map((figure) => [figure, row[USAGE_COLUMNS[figure]] as number])),
    currency: row.currency,
  }));
}

/**
 * Adds facts to their days (sign −1: takes a replaced fact back), summed per day cell in SQL (money as numeric). A new
 * cell's employee is its identifier resolved through the links saved so far (the batch's included).
 */
async function addToDays(client: PoolClient, schema: string, parts: readonly { row: UsageRow; sign: number }[]): Promise<void> {
  if (parts.length === 0) return;
  const key = 'tenant, day, identifier, tool, model, team_id, currency';
  const sums = USAGE_FIGURES.map((figure) => `sum(${USAGE_COLUMNS[figure]}${MONEY.has(figure) ? '::numeric' : ''})`);
  await client.query(
    `INSERT INTO "${schema}".usage_daily (${key}, employee_id, ${FIGURE_COLUMNS.join(', ')}, facts)
     SELECT ${key}, ${resolvedEmployeeSql(schema, 'p.tenant', 'p.identifier')}, ${sums.join(', ')}, sum(facts)
       FROM unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                   ${FIGURE_COLUMNS.map((_, i) => `$${8 + i}::float8[]`).join(', ')}, $${8 + FIGURE_COLUMNS.length}::int[])
            AS p(${key}, ${FIGURE_COLUMNS.join(', ')}, facts)
      GROUP BY ${key}
      ORDER BY ${key}
     ON CONFLICT (${key}) DO UPDATE SET
       ${FIGURE_COLUMNS.map((column) => `${column} = usage_daily.${column} + EXCLUDED.${column}`).join(', ')}, facts = usage_daily.facts + EXCLUDED.facts`,
    [
      parts.map(({ row }) => row.tenant),
      parts.map(({ row }) => row.day),
      parts.map(({ row }) => row.identifier),
      parts.map(({ row }) => row.tool),
      parts.map(({ row }) => row.model ?? ''),
      parts.map(({ row }) => row.teamId ?? ''),
      parts.map(({ row }) => row.currency ?? ''),
      // (never −0, which would print apart from 0)
      ...USAGE_FIGURES.map((figure) => parts.map(({ row, sign }) => sign * (row.figures[figure] ?? 0) || 0)),
      parts.map(({ row, sign }) => (USAGE_FIGURES.some((figure) => (row.figures[figure] ?? 0) > 0) ? sign : 0)),
    ],
  );
}

function figuresOf(data: UsageRecorded['data']): Figures {
  const figures: Figures = {};
  for (const figure of USAGE_FIGURES) {
    const value = data[figure];
    if (typeof value === 'number') figures[figure] = value;
  }
  return figures;
}

/**
 * The delta of a cumulative point against its series (which it then becomes the latest point of), or null for a late
 * point (older than the series' latest, or with an earlier `seriesStart`: counted, otherwise ignored) or a repeat of
 * the latest. A later `seriesStart` is a reset (a new run, counted from zero).
 */
export function deltaOf(states: Map<string, SeriesState>, id: string, seriesStart: string, at: number, values: Figures): Figures | null {
  const start = new Date(seriesStart).toISOString();
  const state = states.get(id);
  // Older than the latest point, or of an older run than the series' (another writer's, or a run since restarted):
  // late. Only a later start is a new run.
  if (state !== undefined && (at < state.at || start < state.start)) {
    state.latePoints += 1;
    state.changed = true;
    return null;
  }
  // The series' latest point again (an exporter's retry under another id): nothing new.
  if (state !== undefined && at === state.at && state.start === start) return null;
  const reset = state === undefined || state.start !== start || USAGE_FIGURES.some((figure) => (values[figure] ?? 0) < (state.values[figure] ?? 0));
  const delta: Figures = {};
  for (const figure of USAGE_FIGURES) {
    const value = values[figure];
    if (value === undefined) continue;
    delta[figure] = reset ? value : value - (state.values[figure] ?? 0);
  }
  states.set(id, { start, at, values, latePoints: state?.latePoints ?? 0, changed: true });
  return delta;
}

async function loadSeries(client: PoolClient, schema: string, events: readonly StoredEvent<UsageRecorded>[]): Promise<Map<string, SeriesState>> {
  const states = new Map<string, SeriesState>();
  const wanted = events.filter((e) => e.data.cumulative === true && e.data.series != null);
  if (wanted.length === 0) return states;
  const { rows } = await client.query<{ tenant: string; series: string; series_start: Date; latest_at: Date; latest: Figures; late_points: number }>(
    `SELECT s.tenant, s.series, s.series_start, s.latest_at, s.latest, s.late_points
       FROM "${schema}".usage_series s JOIN unnest($1::text[], $2::text[]) AS w(tenant, series) USING (tenant, series)`,
    [wanted.map((e) => e.tenant), wanted.map((e) => e.data.series as string)],
  );
  for (const row of rows) {
    states.set(seriesId(row.tenant, row.series), { start: row.series_start.toISOString(), at: row.latest_at.getTime(), values: row.latest, latePoints: row.late_points, changed: false });
  }
  return states;
}

async function saveSeries(client: PoolClient, schema: string, states: Map<string, SeriesState>): Promise<void> {
  const changed = [...states.entries()].filter(([, state]) => state.changed);
  if (changed.length === 0) return;
  const [tenants, series] = [changed.map(([id]) => id.slice(0, id.indexOf('\u0000'))), changed.map(([id]) => id.slice(id.indexOf('\u0000') + 1))];
  await client.query(
    `INSERT INTO "${schema}".usage_series (tenant, series, series_start, latest_at, latest, late_points)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::jsonb[], $6::int[])
     ON CONFLICT (tenant, series) DO UPDATE SET series_start = EXCLUDED.series_start, latest_at = EXCLUDED.latest_at,
       latest = EXCLUDED.latest, late_points = EXCLUDED.late_points`,
    [
      tenants,
      series,
      changed.map(([, state]) => state.start),
      changed.map(([, state]) => new Date(state.at).toISOString()),
      changed.map(([, state]) => JSON.stringify(state.values)),
      changed.map(([, state]) => state.latePoints),
    ],
  );
}
