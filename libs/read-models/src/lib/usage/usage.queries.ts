import {
  type Bucket,
  bucketStart,
  type CellCoordinates,
  cellKey,
  isProtectedCell,
  LedgerError,
  MAX_PRIVACY_PERIODS,
  nextPeriodStart,
  normaliseIdentifier,
  periodsBetween,
  PRIVACY_PERIOD,
  type ProtectedDimension,
  protectTables,
  rateOrNull,
  type SeatCost,
  snapToPeriods,
  UNASSIGNED_TEAM,
  USAGE_FIGURES,
  type UsageGroupBy,
} from '@rework-ledger/domain';
import { reworkMetricsProjection } from '../rework-metrics/rework-metrics.projection';
import { assignmentSpans, inEffectSql, UNSPECIFIED_MODEL_SQL } from '../rework-metrics/rework-rules';
import type { SqlQueryable } from '../sql-queryable';
import { USAGE_COLUMNS, usageProjection } from './usage.projection';


export type UsageFilters = Readonly<{ team?: string; tool?: string; model?: string }>;

/** An amount of money in one currency. */
export type Spend = { currency: string; amount: number };

/** The summed counts of a usage row. */
export const USAGE_SUMS = ['requests', 'suggestions', 'acceptances', 'linesSuggested', 'linesAccepted', 'inputTokens', 'outputTokens', 'credits'] as const;
type UsageSum = (typeof USAGE_SUMS)[number];

/** One row of `GET /v1/metrics/usage`, plus who its active users are when fewer than k (for the privacy rule). */
export type UsageMetricsRow = {
  group: string | null;
  bucket: string | null;
  /** Distinct employees with usage. */
  activeUsers: number;
  acceptanceRate: number | null;
  /** Usage cost and licence seats, per currency (currencies in alphabetical order). */
  spend: Spend[];
  /** Internal: the active users when fewer than the privacy k. */
  employeeIds?: string[];
} & Record<UsageSum, number>;

type CommonQuery = Readonly<{
  tenant: string;
  from: Date;
  to: Date;
  /** Active users of fewer than this are listed (`employeeIds`), for the small-group rule. */
  privacyMinGroupSize: number;
  seatCosts?: readonly SeatCost[];
  /** The read model's schema; default the live one (a spec reads the schema it filled). */
  schema?: string;
  /** The schema of the directory's assignments (the rework read model's); default the live one. */
  assignmentsSchema?: string;
}>;

export type UsageMetricsQuery = CommonQuery &
  Readonly<{
    groupBy?: UsageGroupBy;
    bucket?: Bucket;
    filters?: UsageFilters & Readonly<{ employee?: string }>;
  }>;

const DAY_MS = 86_400_000;
type Dimension = ProtectedDimension & UsageGroupBy;
const DIMENSIONS: readonly Dimension[] = ['team', 'tool', 'model'];

/**
 * Usage metrics (adoption and spend) of one tenant: usage of the UTC days that start in [from, to), grouped by team,
 * tool or model and bucketed; exact (for callers with admin). A fact's team is its `teamId`, else its employee's team
 * in effect on its day (the directory of the rework read model, which owns the assignment history), else (unassigned); a fact without a model is (unspecified). Only facts with some usage (a
 * figure above 0) count. A fact's employee is the one its identifier resolves to (the identity links): active users
 * and the employee filter count people, not identifiers.
 */
export async function queryUsageMetrics(db: SqlQueryable, query: UsageMetricsQuery): Promise<UsageMetricsRow[]> {
  const days = daysOf(query.from, query.to);
  const aggregates = await aggregateUsage(db, {
    ...query,
    ...days,
    period: query.bucket,
    sets: [query.groupBy ? [query.groupBy] : []],
    filters: query.filters ?? {},
  });
  const rows = aggregates.map((aggregate) => {
    return {
      ...toRow(aggregate, query.seatCosts ?? [], aggregates.toolUsers),
      group: query.groupBy ? (aggregate.coordinates[query.groupBy] ?? null) : null,
    };
  });
  return rows.sort((a, b) => compareAnswerKeys(a.bucket, b.bucket) || compareAnswerKeys(a.group, b.group));
}

/** A non-admin span of more periods than are protected on request. */
export class UsagePrivacySpanTooLongError extends LedgerError {
  constructor() {
    super('REQUEST.INVALID_PARAMETER', `without the admin scope, an answer covers at most ${MAX_PRIVACY_PERIODS} whole months`, 'from');
  }
}

export type ProtectedUsageQuery = CommonQuery & Readonly<{ groupBy?: UsageGroupBy; bucket?: Bucket; filters?: UsageFilters }>;

export type ProtectedUsageAnswer = {
  /** [from, to) widened to whole periods. */
  from: Date;
  to: Date;
  /** The answer's bucket: the privacy period when bucketed or when the answer spans more than one period. */
  bucket: Bucket | undefined;
  rows: UsageMetricsRow[];
  suppressed: { cells: number; sum: UsageMetricsRow | null; reason?: 'WITHHELD.SMALL_REMAINDER' | 'WITHHELD.NOT_IN_PROTECTED_TABLES' } | null;
  /** The rows (group, bucket) of the withheld cells: what an answer joined with another must withhold too. */
  withheldRows: { group: string | null; bucket: string | null }[];
};

/** The cells of the usage tables: the total, the team, tool and model totals, the team × tool and team × model cross-tables. */
const CELL_SETS: readonly Dimension[][] = [[], ['team'], ['tool'], ['model'], ['team', 'tool'], ['team', 'model']];

/**
 * Usage metrics for a caller without admin (privacy v2, as the rework metrics): the cells of the protected tables of
 * each whole month of the answer (usage has no task type), protected by `protectTables` with the cell's active users
 * as its employees, and the answer made of the published cells only. Each row is one cell of one month (an answer of
 * several months without a bucket is answered per month): a cell's active users are distinct people, which a sum of
 * months would not be.
 */
export async function queryProtectedUsageMetrics(db: SqlQueryable, query: ProtectedUsageQuery): Promise<ProtectedUsageAnswer> {
  const period = PRIVACY_PERIOD;
  const { from, to } = snapToPeriods(query.from, query.to, period);
  const periods = periodsBetween(from, to, period);
  if (periods > MAX_PRIVACY_PERIODS) throw new UsagePrivacySpanTooLongError();
  const bucket = query.bucket !== undefined || periods > 1 ? period : undefined;
  const filters = query.filters ?? {};
  const shape = answerCells(query.groupBy, filters);
  if (shape === null) return { from, to, bucket, rows: [], suppressed: { cells: 0, sum: null, reason: 'WITHHELD.NOT_IN_PROTECTED_TABLES' }, withheldRows: [] };
  const days = daysOf(from, to);
  const aggregates = await aggregateUsage(db, { ...query, ...days, period, sets: CELL_SETS, filters: {} });
  const cells = aggregates.map((aggregate) => ({
    period: aggregate.period as string,
    coordinates: aggregate.coordinates,
    row: toRow(aggregate, query.seatCosts ?? [], aggregates.toolUsers),
  }));

  const byPeriod = new Map<string, typeof cells>();
  for (const cell of cells) byPeriod.set(cell.period, [...(byPeriod.get(cell.period) ?? []), cell]);
  const rows: UsageMetricsRow[] = [];
  const withheld: UsageMetricsRow[] = [];
  const withheldRows: ProtectedUsageAnswer['withheldRows'] = [];
  let remainderDerivable = true;
  for (const [, periodCells] of [...byPeriod.entries()].sort(([a], [b]) => compareAnswerKeys(a, b))) {
    const protection = protectTables(
      periodCells.map((cell) => ({ coordinates: cell.coordinates, employees: cell.row.activeUsers, employeeIds: cell.row.employeeIds, contribution: cell.row.activeUsers })),
      query.privacyMinGroupSize,
    );
    let withheldHere = false;
    for (const cell of periodCells) {
      if (!matches(cell.coordinates, shape)) continue;
      const group = query.groupBy === undefined ? null : (cell.coordinates[query.groupBy] ?? null);
      if (protection.published.has(cellKey(cell.coordinates))) {
        rows.push({ ...cell.row, group, bucket: bucket === undefined ? null : cell.period });
      } else {
        withheld.push(cell.row);
        withheldRows.push({ group, bucket: bucket === undefined ? null : cell.period });
        withheldHere = true;
      }
    }
    // A period's withheld part is (margin − published cells of the line): known anyway when the margin is published.
    if (withheldHere && (shape.over === null || !protection.published.has(cellKey(shape.fixed)))) remainderDerivable = false;
  }
  rows.sort((a, b) => compareAnswerKeys(a.bucket, b.bucket) || compareAnswerKeys(a.group, b.group));
  if (withheld.length === 0) return { from, to, bucket, rows, suppressed: null, withheldRows };
  const k = query.privacyMinGroupSize;
  const safe = remainderDerivable && (withheld.some((row) => row.activeUsers >= k) || new Set(withheld.flatMap((row) => row.employeeIds ?? [])).size >= k);
  return {
    from,
    to,
    bucket,
    rows,
    withheldRows,
    suppressed: safe ? { cells: withheld.length, sum: sumUsageRows(withheld) } : { cells: withheld.length, sum: null, reason: 'WITHHELD.SMALL_REMAINDER' },
  };
}

/** Sums rows into one (a suppressed remainder): active users summed (a person in two cells counts twice), spend per currency. */
export function sumUsageRows(rows: readonly UsageMetricsRow[]): UsageMetricsRow {
  const sums = Object.fromEntries(USAGE_SUMS.map((sum) => [sum, rows.reduce((total, row) => total + row[sum], 0)])) as Record<UsageSum, number>;
  const spend = new Map<string, number>();
  for (const row of rows) for (const { currency, amount } of row.spend) spend.set(currency, (spend.get(currency) ?? 0) + amount);
  return {
    group: null,
    bucket: null,
    activeUsers: rows.reduce((total, row) => total + row.activeUsers, 0),
    ...sums,
    acceptanceRate: rateOrNull(sums.acceptances, sums.suggestions),
    spend: spendList(spend),
  };
}

/** The shape of an answer's cells (as for rework): the filters' coordinates and the dimension its rows run over. */
function answerCells(groupBy: UsageGroupBy | undefined, filters: UsageFilters): { fixed: CellCoordinates; over: Dimension | null } | null {
  const fixed: Record<string, string> = {};
  for (const [name, value] of Object.entries(filters)) if (value !== undefined) fixed[name] = value;
  const over = groupBy !== undefined && fixed[groupBy] === undefined ? groupBy : null;
  const widest = over === null ? fixed : { ...fixed, [over]: '·' };
  return isProtectedCell(widest) ? { fixed, over } : null;
}

function matches(coordinates: CellCoordinates, shape: { fixed: CellCoordinates; over: Dimension | null }): boolean {
  const names = Object.keys(coordinates).filter((name) => coordinates[name as ProtectedDimension] !== undefined);
  if (names.length !== Object.keys(shape.fixed).length + (shape.over === null ? 0 : 1)) return false;
  if (shape.over !== null && coordinates[shape.over] === undefined) return false;
  return Object.entries(shape.fixed).every(([name, value]) => coordinates[name as ProtectedDimension] === value);
}

// —— aggregation ——

type Days = { dayFrom: number; dayTo: number };

/** The UTC days that start in [from, to), as day numbers [dayFrom, dayTo). */
function daysOf(from: Date, to: Date): Days {
  return { dayFrom: Math.ceil(from.getTime() / DAY_MS), dayTo: Math.ceil(to.getTime() / DAY_MS) };
}

/** How many months [from, to) covers, each calendar month counted by the share of its time covered. */
export function monthsCovered(from: number, to: number): number {
  let months = 0;
  for (let start = bucketStart(new Date(from), 'month'); start.getTime() < to; start = nextPeriodStart(start, 'month')) {
    const end = nextPeriodStart(start, 'month').getTime();
    const covered = Math.min(to, end) - Math.max(from, start.getTime());
    if (covered > 0) months += covered / (end - start.getTime());
  }
  return months;
}

type Aggregate = {
  period: string | null;
  coordinates: CellCoordinates;
  sums: Record<UsageSum, number>;
  employees: number;
  employeeIds?: string[];
  spend: Map<string, number>;
  /** Per tool, per calendar month: the seats of the month's users the aggregate has (each person's seat shared by their cells). */
  toolUsers: Map<string, { month: string; users: number }[]>;
};

type AggregateSpec = CommonQuery &
  Days & {
    period: Bucket | undefined;
    sets: readonly (readonly Dimension[])[];
    filters: UsageFilters & Readonly<{ employee?: string }>;
  };

type Grouped = { period: Date | string | null; g: number; team: string | null; tool: string | null; model: string | null };

/** The coordinates of a row of GROUPING SETS over (team, tool, model): bit 2 team rolled up, bit 1 tool, bit 0 model. */
function coordinatesOf(row: Grouped): CellCoordinates {
  const coordinates: Record<string, string> = {};
  if ((row.g & 4) === 0) coordinates['team'] = row.team as string;
  if ((row.g & 2) === 0) coordinates['tool'] = row.tool as string;
  if ((row.g & 1) === 0) coordinates['model'] = row.model as string;
  return coordinates;
}

const periodOf = (row: Grouped) => (row.period === null ? null : new Date(row.period).toISOString());
const keyOf = (period: string | null, coordinates: CellCoordinates) => `${period ?? ''}\u0000${cellKey(coordinates)}`;

/**
 * Sums, active users, spend per currency and active users per tool, per period and grouping set: two statements over
 * the usage facts of the days asked for, with their teams resolved (the sums and spend; the licence seats' shares).
 */
async function aggregateUsage(db: SqlQueryable, spec: AggregateSpec): Promise<Aggregate[] & { toolUsers(month: string, tool: string): number }> {
  const schema = spec.schema ?? usageProjection.schema;
  const assignments = spec.assignmentsSchema ?? reworkMetricsProjection.schema;
  const parameters: unknown[] = [spec.tenant, new Date(spec.dayFrom * DAY_MS).toISOString().slice(0, 10), new Date(spec.dayTo * DAY_MS).toISOString().slice(0, 10)];
  // An integer of the tenant's settings, written into the SQL (not every statement below reads it).
  const k = Math.trunc(Number(spec.privacyMinGroupSize));
  const conditions: string[] = [];
  for (const [name, value] of Object.entries(spec.filters)) {
    if (value === undefined) continue;
    // An employee is asked for as the read model names them, normalised (`Alice@Acme.test` is alice@acme.test): the employee
    // id, or an identifier no link resolves; an identifier a link resolves is not looked up (ask for its employee).
    parameters.push(name === 'employee' ? normaliseIdentifier(value) : value);
    conditions.push(`${name === 'employee' ? 'employee_id' : name} = $${parameters.length}`);
  }
  const dayEnd = `((u.day + 1)::timestamp AT TIME ZONE 'UTC' - interval '1 microsecond')`;
  // A fact without a team of its own is the team of its employee's assignment in effect at the end of its day: one
  // hash join on the assignments' spans (a lookup per fact cost an index probe each: 2–3 times slower on the demo).
  const teamSpan = `LEFT JOIN (${assignmentSpans(assignments, '$1', 'a.employee_id, a.team_id')}) s
            ON u.team_id = '' AND s.employee_id = u.employee_id AND ${inEffectSql('s', dayEnd)}`;
  const periodOfDay = (day: string) => (spec.period ? `date_trunc('${spec.period}', ${day}::timestamp) AT TIME ZONE 'UTC'` : 'NULL::timestamptz');
  // The usage days' cells as the answers see them: employee, tool, model (unspecified when none), team (resolved).
  const resolvedCells = (days: string) => `
          SELECT u.employee_id, u.tool, COALESCE(NULLIF(u.model, ''), ${UNSPECIFIED_MODEL_SQL}) AS model, u.day,
                 COALESCE(NULLIF(u.team_id, ''), s.team_id, '${UNASSIGNED_TEAM}') AS team,
                 ${USAGE_FIGURES.map((figure) => `u.${USAGE_COLUMNS[figure]}`).join(', ')}, NULLIF(u.currency, '') AS currency
            FROM "${schema}".usage_daily u
            ${teamSpan}
           WHERE u.tenant = $1 AND ${days} AND u.facts > 0`;
  const where = (extra: string[]) => (extra.length > 0 ? `WHERE ${extra.join(' AND ')}` : '');
  const groupingSets = (sets: readonly (readonly string[])[]) => `GROUPING SETS (${sets.map((set) => `(${['period', ...set].join(', ')})`).join(', ')})`;
  // The grouping id over (team, tool, model) and their values; a dimension no set groups by is rolled up throughout.
  const grouped = (sets: readonly (readonly string[])[]) => {
    const used = DIMENSIONS.map((dimension) => sets.some((set) => set.includes(dimension)));
    const bit = (i: number) => (used[i] ? `GROUPING(${DIMENSIONS[i]})` : '1');
    return `period, (${bit(0)} * 4 + ${bit(1)} * 2 + ${bit(2)}) AS g, ${DIMENSIONS.map((dimension, i) => (used[i] ? dimension : `NULL::text AS ${dimension}`)).join(', ')}`;
  };
  const noSums = USAGE_SUMS.map((sum) => `NULL::float8 AS "${sum}"`).join(', ');

  // One statement (one connection of the read pool) for the sums and the spend. The facts of the period are first
  // summed per period and person (with their team, tool, model and currency): one aggregation that leaves a few rows
  // per person, so that the grouping sets — whose distinct counts sort their input, once per set — sort those few
  // rather than every day of every person (at ten million events, a million rows over 90 days; docs/scaling.md).
  const perPerson = `
    WITH facts AS MATERIALIZED (
      SELECT ${periodOfDay('r.day')} AS period, r.employee_id, r.team, r.tool, r.model, r.currency,
             ${USAGE_FIGURES.map((figure) => `sum(r.${USAGE_COLUMNS[figure]}) AS ${USAGE_COLUMNS[figure]}`).join(', ')}
        FROM (${resolvedCells('u.day >= $2::date AND u.day < $3::date')}) r
       ${where(conditions)}
       GROUP BY 1, r.employee_id, r.team, r.tool, r.model, r.currency
    )`;
  const figures = db.query<Grouped & Record<string, number> & { part: 'sums' | 'spend'; employees: number; employee_ids: string[] | null; currency: string; amount: number }>(
    `${perPerson}
     SELECT 'sums' AS part, ${grouped(spec.sets)}, ${USAGE_SUMS.map((sum) => `COALESCE(sum(${USAGE_COLUMNS[sum]}), 0)::float8 AS "${sum}"`).join(', ')},
            count(DISTINCT employee_id)::int AS employees,
            CASE WHEN count(DISTINCT employee_id) < ${k} THEN array_agg(DISTINCT employee_id ORDER BY employee_id) END AS employee_ids,
            NULL::text AS currency, NULL::float8 AS amount
       FROM facts GROUP BY ${groupingSets(spec.sets)}
     UNION ALL
     SELECT 'spend', ${grouped(spec.sets)}, ${noSums}, NULL, NULL, currency, sum(cost)::float8
       FROM facts WHERE currency IS NOT NULL GROUP BY ${groupingSets(spec.sets.map((set) => [...set, 'currency']))}`,
    parameters,
  );

  const seats = (spec.seatCosts ?? []).length > 0;
  const toolSets = uniqueSets(spec.sets.map((set) => [...set, 'tool']));
  // A person's seat of a month, spread evenly over the cells (day, team, model) where they used the tool that month
  // (read over whole calendar months, whatever the filters), so that rows of any bucket add up to the month's seats.
  // The cells are counted per person, tool, model, team, month and period (and whether their day is in the answer's
  // days): a row's weight is its share of the person's cells of the tool that month.
  const seatShares = `
    WITH cells AS MATERIALIZED (
      SELECT c.employee_id, c.tool, c.model, c.team, date_trunc('month', c.day::timestamp) AT TIME ZONE 'UTC' AS month,
             ${periodOfDay('c.day')} AS period, c.day >= $2::date AND c.day < $3::date AS asked, count(DISTINCT c.day) AS days
        FROM (${resolvedCells(`u.day >= date_trunc('month', $2::date)::date AND u.day < (date_trunc('month', $3::date - 1) + interval '1 month')::date`)}) c
       GROUP BY c.employee_id, c.tool, c.model, c.team, 5, 6, 7
    ), weighted AS (
      SELECT c.*, c.days::float8 / sum(c.days) OVER (PARTITION BY c.employee_id, c.tool, c.month) AS weight
        FROM cells c
    )`;
  // Per row and calendar month: the people's seats of the tool the row has (their shares summed); and the tool's users
  // of each calendar month, whatever the filters: what a set number of seats is shared by. One statement.
  const seatUsers = seats
    ? db.query<Grouped & { part: 'shares' | 'month'; month: Date | string; users: number }>(
        `${seatShares}
         SELECT 'shares' AS part, month, ${grouped(toolSets)}, sum(weight)::float8 AS users
           FROM weighted ${where(['asked', ...conditions])}
          GROUP BY ${groupingSets(toolSets.map((set) => ['month', ...set]))}
         UNION ALL
         SELECT 'month', month, NULL, NULL, NULL, tool, NULL, count(DISTINCT employee_id)::float8 FROM weighted GROUP BY month, tool`,
        parameters,
      )
    : Promise.resolve([]);
  const [figureRows, seatRows] = await Promise.all([figures, seatUsers]);
  const sums = figureRows.filter((row) => row.part === 'sums');
  const spend = figureRows.filter((row) => row.part === 'spend');
  const users = seatRows.filter((row) => row.part === 'shares');
  const monthUsers = seatRows.filter((row) => row.part === 'month') as (Grouped & { month: Date | string; tool: string; users: number })[];

  const byKey = new Map<string, Aggregate>();
  for (const row of sums) {
    const coordinates = coordinatesOf(row);
    const aggregate: Aggregate = {
      period: periodOf(row),
      coordinates,
      sums: Object.fromEntries(USAGE_SUMS.map((sum) => [sum, row[sum]])) as Record<UsageSum, number>,
      employees: row.employees,
      ...(row.employee_ids ? { employeeIds: row.employee_ids } : {}),
      spend: new Map(),
      toolUsers: new Map(),
    };
    byKey.set(keyOf(aggregate.period, coordinates), aggregate);
  }
  for (const row of spend) {
    const { currency, ...coordinates } = { ...coordinatesOf(row), currency: row.currency };
    const aggregate = byKey.get(keyOf(periodOf(row), coordinates));
    aggregate?.spend.set(currency, (aggregate.spend.get(currency) ?? 0) + row.amount);
  }
  // Seats per tool and month of each aggregate: the rows of its coordinates and a tool (its own tool when it has one).
  const seatsAt = new Map<string, { month: string; users: number }[]>();
  for (const row of users) {
    const key = keyOf(periodOf(row), coordinatesOf(row));
    seatsAt.set(key, [...(seatsAt.get(key) ?? []), { month: new Date(row.month).toISOString(), users: row.users }]);
  }
  for (const aggregate of byKey.values()) {
    for (const seat of spec.seatCosts ?? []) {
      if (aggregate.coordinates.tool !== undefined && aggregate.coordinates.tool !== seat.tool) continue;
      aggregate.toolUsers.set(seat.tool, seatsAt.get(keyOf(aggregate.period, { ...aggregate.coordinates, tool: seat.tool })) ?? []);
    }
  }
  const usersOfMonth = new Map<string, number>();
  for (const row of monthUsers) usersOfMonth.set(`${new Date(row.month).toISOString()}\u0000${row.tool}`, row.users);
  const result = [...byKey.values()] as Aggregate[] & { toolUsers(month: string, tool: string): number };
  result.toolUsers = (month, tool) => usersOfMonth.get(`${month}\u0000${tool}`) ?? 0;
  return result;
}

function uniqueSets(sets: readonly (readonly string[])[]): string[][] {
  const seen = new Map<string, string[]>();
  for (const set of sets) {
    const sorted = [...new Set(set)].sort((a, b) => DIMENSIONS.indexOf(a as Dimension) - DIMENSIONS.indexOf(b as Dimension));
    seen.set(sorted.join(','), sorted);
  }
  return [...seen.values()];
}

/**
 * A row from an aggregate, its licence seats added to its spend: per tool with a seat cost and per calendar month,
 * seatCost × the month's seats (its distinct users of the tool, or the set number), of which the row gets the share
 * its cells have: each user of the month is one seat, spread evenly over the cells (day, team, model) where they used
 * the tool that month; a set number is shared in proportion. So the rows of any bucket, team or model add up to the
 * month's cost, and an employee's row gets their own seat (1 / the month's users of a set number).
 */
function toRow(aggregate: Aggregate, seatCosts: readonly SeatCost[], usersOfMonth: (month: string, tool: string) => number): UsageMetricsRow {
  const spend = new Map(aggregate.spend);
  for (const seat of seatCosts) {
    for (const { month, users } of aggregate.toolUsers.get(seat.tool) ?? []) {
      const all = usersOfMonth(month, seat.tool);
      const seats = seat.seats == null ? users : all > 0 ? (seat.seats * users) / all : 0;
      const amount = seat.seatCost * seats;
      if (amount > 0) spend.set(seat.currency, (spend.get(seat.currency) ?? 0) + amount);
    }
  }
  return {
    group: null,
    bucket: aggregate.period,
    activeUsers: aggregate.employees,
    ...aggregate.sums,
    acceptanceRate: rateOrNull(aggregate.sums.acceptances, aggregate.sums.suggestions),
    spend: spendList(spend),
    ...(aggregate.employeeIds ? { employeeIds: aggregate.employeeIds } : {}),
  };
}

/** Spend per currency as answers list it: by currency code. */
export function spendList(spend: ReadonlyMap<string, number>): Spend[] {
  return [...spend.entries()].sort(([a], [b]) => compareAnswerKeys(a, b)).map(([currency, amount]) => ({ currency, amount }));
}

/** The order of answer rows' buckets and groups: null (the total) first, then by code unit. */
export function compareAnswerKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}
