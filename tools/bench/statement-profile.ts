import { Client } from 'pg';

/**
 * `BENCH_PROFILE=true`: the time of every statement this process sends (any connection), summed by statement, between
 * `start()` and `stop()` — where a rebuild's time goes, seen from the client (the statement's time in PostgreSQL plus
 * the round trip; a COPY from its first byte sent to its end). Statements run concurrently on other connections (the
 * next batch read while one is applied) overlap. `BENCH_EXPLAIN=true` also runs each of a rebuild's derive statements
 * (INSERT … SELECT into the rebuilt schema) under EXPLAIN (ANALYZE, BUFFERS) — it still inserts — and prints its plan.
 * A measuring aid only: never in production code.
 */
export type StatementProfile = { start(): void; stop(): string[] };

type Totals = { count: number; ms: number; first: number };

/** A statement's label: schema names and parameters' values out, whitespace collapsed, its first words. */
function labelOf(text: string): string {
  const flat = text
    .replace(/"[^"]*"\./g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (/^FETCH /.test(flat)) return flat.replace(/\d+/, 'n');
  if (/^ANALYZE /.test(flat)) return flat;
  return flat.slice(0, 90);
}

export function statementProfile(): StatementProfile | undefined {
  if (process.env['BENCH_PROFILE'] !== 'true') return undefined;
  const explain = process.env['BENCH_EXPLAIN'] === 'true';
  // BENCH_EXPLAIN_MATCH=<regular expression>: also the plans of the statements it matches (the live path's), two of each
  // label after the first BENCH_EXPLAIN_AFTER (default 0: tables are still empty then); they run under EXPLAIN ANALYZE in place of the statement and answer no rows (what they return
  // is lost: a run for the plans only, whose read models are then wrong).
  const explainMatch = process.env['BENCH_EXPLAIN_MATCH'] ? new RegExp(process.env['BENCH_EXPLAIN_MATCH']) : undefined;
  const explainAfter = Number(process.env['BENCH_EXPLAIN_AFTER'] ?? 0);
  const explained = new Map<string, number>();
  let totals = new Map<string, Totals>();
  let on = false;
  let origin = 0;
  const record = (label: string, startedAt: number) => {
    if (!on) return;
    const entry = totals.get(label) ?? { count: 0, ms: 0, first: startedAt - origin };
    entry.count += 1;
    entry.ms += performance.now() - startedAt;
    totals.set(label, entry);
  };
  const plans: string[] = [];
  const prototype = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  prototype.query = function (this: Client, ...args: unknown[]): unknown {
    const first = args[0] as string | { text?: string } | undefined;
    // A query config and a pg-copy-streams query both carry their statement as `text`.
    const text = typeof first === 'string' ? first : typeof first?.text === 'string' ? first.text : undefined;
    const label = text === undefined ? '(unlabelled)' : labelOf(text);
    const startedAt = performance.now();
    const matched =
      typeof first === 'string' &&
      ((explain && /^\s*INSERT INTO "[^"]*__rebuild"\.\w+[\s\S]*\bSELECT\b/.test(first)) || (explainMatch?.test(first) === true && (explained.get(label) ?? 0) < explainAfter + 2));
    if (on && matched && typeof args[args.length - 1] !== 'function' && (explained.get(label) ?? 0) >= explainAfter) {
      explained.set(label, (explained.get(label) ?? 0) + 1);
      return (original.call(this, `EXPLAIN (ANALYZE, BUFFERS) ${first}`, ...args.slice(1)) as Promise<{ rows: { 'QUERY PLAN': string }[] }>).then((result) => {
        record(label, startedAt);
        plans.push(`-- ${label}\n${result.rows.map((row) => row['QUERY PLAN']).join('\n')}`);
        return explainMatch?.test(first as string) ? { ...result, rows: [], rowCount: 0 } : result;
      });
    }
    if (on && matched) explained.set(label, (explained.get(label) ?? 0) + 1);
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (...callbackArgs: unknown[]) => {
        record(label, startedAt);
        return (last as (...a: unknown[]) => unknown)(...callbackArgs);
      };
      return original.apply(this, args);
    }
    const result = original.apply(this, args) as { then?: unknown; on?: (event: string, listener: () => void) => void };
    if (result && typeof result.then === 'function') {
      (result as Promise<unknown>).then(
        () => record(label, startedAt),
        () => record(label, startedAt),
      );
    } else if (result && typeof result.on === 'function') {
      let done = false;
      const end = () => {
        if (!done) record(label, startedAt);
        done = true;
      };
      result.on('finish', end);
      result.on('error', end);
    }
    return result;
  };
  return {
    start() {
      totals = new Map();
      plans.length = 0;
      origin = performance.now();
      on = true;
    },
    stop() {
      on = false;
      const lines = [...totals.entries()]
        .sort((a, b) => b[1].ms - a[1].ms)
        .filter(([, t]) => t.ms >= 5)
        .map(([label, t]) => `${(t.ms / 1000).toFixed(3).padStart(8)} s ${String(t.count).padStart(6)}× from ${(t.first / 1000).toFixed(2).padStart(6)} s  ${label}`);
      return [...lines, ...plans];
    },
  };
}
