import { USAGE_FIGURES, type UsageFigure, type UsageRecorded } from '@rework-ledger/domain';
import type { StoredEvent } from '@rework-ledger/event-store';
import type { Projection } from '@rework-ledger/projections';
import type { PoolClient } from 'pg';

/** The events the usage read model reads: usage facts. */
export type UsageEvent = UsageRecorded;

/** A figure's column in the `usage` table. */
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

/** A usage row as stored: one per `usageKey` (the last fact of the key), its figures deltas. */
type UsageRow = { tenant: string; usageKey: string; employeeId: string; teamId: string | null; tool: string; model: string | null; day: string; figures: Figures; currency: string | null };

/**
 * Usage facts (adoption and spend), one row per `usageKey`: a later fact with the same key replaces the earlier one
 * (a revised report corrects itself). A cumulative source's points become deltas here: per series, in the order of
 * the events' time, a point counts its increase over the series' latest point; the first point of a series, a new
 * `seriesStart` or a lower value (a reset: the counter restarted) counts from zero; a point older than the series'
 * latest is counted as late (`usage_series.late_points`) and otherwise ignored, and the latest point again is a
 * repeat. A fact's team is resolved at query time (its `teamId`, else the assignment in effect on its day, from the
 * directory the rework read model keeps), so a late `employee.assigned` re-attributes usage.
 * Applied in store order, live and in a rebuild alike: a rebuild gives the same rows.
 */
export const usageProjection: Projection<UsageEvent> = {
  name: 'usage',
  schema: 'rm_usage',
  version: 1,
  handles: ['ai.usage.recorded'],

  async createTables(client: PoolClient, schema: string): Promise<void> {
    await client.query(`
      CREATE TABLE "${schema}".usage (
        tenant text NOT NULL,
        usage_key text NOT NULL,
        employee_id text NOT NULL,
        team_id text,
        tool text NOT NULL,
        model text,
        day date NOT NULL,
        ${USAGE_FIGURES.map((figure) => `${USAGE_COLUMNS[figure]} double precision`).join(',\n        ')},
        currency text,
        PRIMARY KEY (tenant, usage_key)
      );
      CREATE INDEX ON "${schema}".usage (tenant, day);
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
  },

  async apply(client: PoolClient, schema: string, events: readonly StoredEvent<UsageEvent>[]): Promise<void> {
    const usage = events.filter((event) => event.type === 'ai.usage.recorded');
    if (usage.length > 0) await applyUsage(client, schema, usage);
  },
};

const seriesId = (tenant: string, series: string) => `${tenant}\u0000${series}`;

/** The batch's usage facts: cumulative points turned into deltas against their series, then every row upserted. */
async function applyUsage(client: PoolClient, schema: string, events: readonly StoredEvent<UsageRecorded>[]): Promise<void> {
  const states = await loadSeries(client, schema, events);
  // The last fact of each key wins (store order), as it would one event at a time.
  const rows = new Map<string, UsageRow>();
  for (const event of events) {
    const { data } = event;
    let figures = figuresOf(data);
    if (data.cumulative === true && data.series != null && data.seriesStart != null) {
      const delta = deltaOf(states, seriesId(event.tenant, data.series), data.seriesStart, event.time.getTime(), figures);
      if (delta === null) continue;
      figures = delta;
    }
    rows.set(seriesId(event.tenant, data.usageKey), {
      tenant: event.tenant,
      usageKey: data.usageKey,
      employeeId: data.employeeId,
      teamId: data.teamId ?? null,
      tool: data.tool,
      model: data.model ?? null,
      day: data.day,
      figures,
      currency: data.cost != null ? (data.currency ?? null) : null,
    });
  }
  await saveSeries(client, schema, states);
  if (rows.size === 0) return;
  const all = [...rows.values()];
  const columns = USAGE_FIGURES.map((figure) => USAGE_COLUMNS[figure]);
  await client.query(
    `INSERT INTO "${schema}".usage (tenant, usage_key, employee_id, team_id, tool, model, day, ${columns.join(', ')}, currency)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[],
                          ${columns.map((_, i) => `$${8 + i}::float8[]`).join(', ')}, $${8 + columns.length}::text[])
     ON CONFLICT (tenant, usage_key) DO UPDATE SET
       employee_id = EXCLUDED.employee_id, team_id = EXCLUDED.team_id, tool = EXCLUDED.tool, model = EXCLUDED.model, day = EXCLUDED.day,
       ${columns.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}, currency = EXCLUDED.currency`,
    [
      all.map((row) => row.tenant),
      all.map((row) => row.usageKey),
      all.map((row) => row.employeeId),
      all.map((row) => row.teamId),
      all.map((row) => row.tool),
      all.map((row) => row.model),
      all.map((row) => row.day),
      ...USAGE_FIGURES.map((figure) => all.map((row) => row.figures[figure] ?? null)),
      all.map((row) => row.currency),
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
 * point (older than the series' latest: counted, otherwise ignored) or a repeat of the latest.
 */
export function deltaOf(states: Map<string, SeriesState>, id: string, seriesStart: string, at: number, values: Figures): Figures | null {
  const start = new Date(seriesStart).toISOString();
  const state = states.get(id);
  if (state !== undefined && at < state.at) {
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
