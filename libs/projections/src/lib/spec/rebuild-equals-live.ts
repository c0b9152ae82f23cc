import type { Pool, PoolClient } from 'pg';
import type { Projection } from '../projection';
import { type GivenEvent, type ProjectionSpecOptions, runScenario } from './projection-spec';

export type ReadModelDump = Readonly<{
  /** Every table's rows (all columns but those ignored, as JSON text), sorted; by table name. */
  tables: Record<string, string[]>;
  /** What was parked: tenant, source, id and code, in store order. */
  parked: string[];
}>;

export type RebuildEqualsLiveOptions = Readonly<{
  pool: Pool;
  /** Each batch size is tried live and as a rebuild; every run must give the same read model. Default [1, 7, 1000]. */
  batchSizes?: readonly number[];
  /** Tables left out of the comparison (staging tables a rebuild empties at its end, say). */
  ignoreTables?: readonly string[];
  /** Columns left out of every table's rows (identity values that depend on how rows were written, say). */
  ignoreColumns?: readonly string[];
  repeatsPossible?: boolean;
  /**
   * Numbers compared to this many significant digits (default: exactly, as stored): for data whose fractions a
   * rebuild sums in another order than live (sums equal to the last few bits, not the last bit). Every number of
   * every row, numeric text such as `42.3333333333330` and `42.3333333333333` included.
   */
  significantDigits?: number;
  /**
   * Run on each read model before it is compared, in its transaction: what a reader does first (work the live path
   * leaves for later, such as repacking the months it marked stale), so that equal read models compare equal.
   */
  settle?: (client: PoolClient, schema: string) => Promise<void>;
}>;

/** A row's JSON text with its numbers to `digits` significant digits. */
function roundedRow(row: string, digits: number): string {
  const round = (value: unknown): unknown =>
    typeof value === 'number'
      ? Number(value.toPrecision(digits))
      : Array.isArray(value)
        ? value.map(round)
        : value !== null && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, round(inner)]))
          : value;
  return JSON.stringify(round(JSON.parse(row)));
}

/**
 * A row's JSON text with each decimal number written without trailing zeros (`15.0` is `15`), exactly otherwise:
 * PostgreSQL's numeric keeps the largest scale of the terms it added, so a figure that took a fraction back (16.5
 * added, then subtracted, then 15 added: `15.0`) is the same value written another way.
 */
function canonicalNumbers(row: string): string {
  return row.replace(/"(?:[^"\\]|\\.)*"|-?\d+\.\d+(?![\deE])/g, (token) => (token.startsWith('"') ? token : token.replace(/\.?0+$/, '')));
}

/** Every table of `schema`, rows sorted, as JSON text (all columns but the ignored ones). */
export async function dumpSchema(
  client: PoolClient,
  schema: string,
  ignore: Pick<RebuildEqualsLiveOptions, 'ignoreTables' | 'ignoreColumns' | 'significantDigits'> = {},
): Promise<Record<string, string[]>> {
  const { rows } = await client.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename', [schema]);
  const tables: Record<string, string[]> = {};
  for (const { tablename } of rows) {
    if (ignore.ignoreTables?.includes(tablename)) continue;
    const dumped = await client.query<{ row: string }>(`SELECT (to_jsonb(t) - $1::text[])::text AS row FROM "${schema}"."${tablename}" t`, [ignore.ignoreColumns ?? []]);
    const { significantDigits } = ignore;
    tables[tablename] = dumped.rows.map((row) => (significantDigits === undefined ? canonicalNumbers(row.row) : roundedRow(row.row, significantDigits))).sort();
  }
  return tables;
}

/** The read model the events give, applied as `options` say (live or as a rebuild, in batches of a size). */
export async function readModelAfter(
  projection: Projection,
  events: readonly GivenEvent[],
  options: ProjectionSpecOptions & Pick<RebuildEqualsLiveOptions, 'ignoreTables' | 'ignoreColumns' | 'significantDigits' | 'settle'>,
): Promise<ReadModelDump> {
  const { result, parked } = await runScenario(projection, options, [events], async ({ client, schema }) => {
    await options.settle?.(client, schema);
    return dumpSchema(client, schema, options);
  });
  return { tables: result, parked: parked.map((p) => `${p.tenant} ${p.source} ${p.eventId} ${p.code}`) };
}

function firstDifference(expected: ReadModelDump, actual: ReadModelDump): string | undefined {
  if (JSON.stringify(expected.parked) !== JSON.stringify(actual.parked)) return `parked events: ${JSON.stringify(expected.parked)} ≠ ${JSON.stringify(actual.parked)}`;
  const names = [...new Set([...Object.keys(expected.tables), ...Object.keys(actual.tables)])].sort();
  for (const name of names) {
    const [want, got] = [expected.tables[name], actual.tables[name]];
    if (!want || !got) return `table ${name} is in one read model only`;
    const missing = want.filter((row) => !got.includes(row));
    const extra = got.filter((row) => !want.includes(row));
    if (want.length !== got.length || missing.length > 0 || extra.length > 0) {
      return `table ${name}: ${want.length} rows ≠ ${got.length}; missing ${missing.slice(0, 3).join(' ')}; extra ${extra.slice(0, 3).join(' ')}`;
    }
  }
  return undefined;
}

/**
 * Applies the same events live and as a rebuild, in batches of each size given, and checks that every run leaves
 * the same read model — every table, row by row, all columns — and parks the same events. Throws on the first
 * difference (naming the run and the table); returns the read model otherwise.
 */
export async function expectRebuildEqualsLive(projection: Projection, events: readonly GivenEvent[], options: RebuildEqualsLiveOptions): Promise<ReadModelDump> {
  const batchSizes = options.batchSizes ?? [1, 7, 1000];
  let reference: ReadModelDump | undefined;
  for (const batchSize of batchSizes) {
    for (const mode of ['live', 'rebuild'] as const) {
      const dump = await readModelAfter(projection, events, { ...options, batchSize, mode });
      if (reference === undefined) {
        reference = dump;
        continue;
      }
      const difference = firstDifference(reference, dump);
      if (difference !== undefined) {
        throw new Error(`${projection.name}: ${mode} in batches of ${batchSize} differs from live in batches of ${batchSizes[0]}: ${difference}`);
      }
    }
  }
  if (reference === undefined) throw new Error('expectRebuildEqualsLive: no batch size given');
  return reference;
}
