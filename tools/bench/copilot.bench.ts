// Copilot import: user-day rows/s from a local report file (issue 11's target: 100,000 rows, in constant memory).
// A file of documented-shape rows (nested per-IDE/feature/language/model breakdowns, as GitHub's users-1-day NDJSON) is
// written first; then it is imported twice: mapping only (a sink that keeps nothing), and into the PostgreSQL event
// store through ingestEvents (what `import copilot --file` does). Peak RSS is sampled during each run, and read after
// the first tenth of the rows and at the end: equal figures mean the memory does not grow with the rows. Run:
//   npm run bench:copilot
// Options (environment): BENCH_COPILOT_ROWS (default 100000), BENCH_COPILOT_STORE=0 (mapping only), DATABASE_URL.
import 'reflect-metadata';
import { type CopilotImportSummary, importCopilotUsageFile, ndjsonLines, type UsageSink } from '@rework-ledger/copilot';
import { createPostgresEventStore } from '@rework-ledger/event-store';
import { ingestEvents } from '@rework-ledger/ingestion/core';
import { createPool } from '@rework-ledger/platform';
import { migrateAll } from '@rework-ledger/runtime';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createBenchDatabase } from './bench-database';

const ROWS = Number(process.env['BENCH_COPILOT_ROWS'] ?? 100_000);
const USERS = 2_000;
const STORE = process.env['BENCH_COPILOT_STORE'] !== '0';
const DAY0 = Date.parse('2026-01-01T00:00:00Z');
const MB = 1024 * 1024;

/** One user-day row of the documented shape (docs.github.com, "Example schema for Copilot usage metrics"). */
function row(index: number): string {
  const user = index % USERS;
  const day = new Date(DAY0 + Math.floor(index / USERS) * 86_400_000).toISOString().slice(0, 10);
  const generated = 5 + (index % 40);
  const accepted = Math.floor(generated / 2);
  const sums = { code_acceptance_activity_count: accepted, code_generation_activity_count: generated, loc_added_sum: accepted * 3, loc_deleted_sum: 0, loc_suggested_to_add_sum: generated * 4, loc_suggested_to_delete_sum: 0 };
  return JSON.stringify({
    ...sums,
    day,
    enterprise_id: '4821',
    totals_by_feature: [{ ...sums, feature: 'code_completion', user_initiated_interaction_count: 0 }],
    totals_by_ide: [
      {
        ...sums,
        ide: 'vscode',
        last_known_ide_version: { ide_version: '1.104.0', sampled_at: `${day}T08:12:40.000Z` },
        last_known_plugin_version: { plugin: 'copilot-chat', plugin_version: '0.31.0', sampled_at: `${day}T08:12:40.000Z` },
        user_initiated_interaction_count: index % 9,
      },
    ],
    totals_by_language_feature: [{ ...sums, feature: 'code_completion', language: ['typescript', 'python', 'go'][index % 3] }],
    totals_by_language_model: [],
    totals_by_model_feature: [{ feature: 'chat_panel_agent_mode', model: 'claude-sonnet-4', user_initiated_interaction_count: index % 9, code_generation_activity_count: 0, code_acceptance_activity_count: 0 }],
    used_agent: index % 9 > 0,
    used_chat: index % 9 > 0,
    used_cli: false,
    user_id: 1000 + user,
    user_login: `dev-${user}`,
    user_initiated_interaction_count: index % 9,
    ai_credits_used: (index % 13) / 4,
    etl_id: 'green',
    day_partition: day,
    entity_id_partition: 4821,
  });
}

async function writeReport(file: string): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < ROWS; i++) {
    if (!out.write(`${row(i)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Imports the file, sampling RSS; the peak after the first tenth of the rows and at the end. */
async function measure(file: string, sink: UsageSink, tenant: string): Promise<{ summary: CopilotImportSummary; rowsPerSecond: number; peakEarlyMb: number; peakMb: number }> {
  global.gc?.();
  let peak = process.memoryUsage().rss;
  let peakEarly = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const startedAt = performance.now();
  const summary = await importCopilotUsageFile(ndjsonLines(createReadStream(file)), {
    scope: { kind: 'org', name: tenant },
    importDay: '2026-12-06',
    sink,
    onProgress: ({ rows }) => {
      peak = Math.max(peak, process.memoryUsage().rss);
      if (rows <= ROWS / 10) peakEarly = peak;
    },
  });
  const seconds = (performance.now() - startedAt) / 1000;
  clearInterval(sampler);
  return { summary, rowsPerSecond: Math.round(summary.rows / seconds), peakEarlyMb: Math.round(peakEarly / MB), peakMb: Math.round(Math.max(peak, process.memoryUsage().rss) / MB) };
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'rl-copilot-bench-'));
  const file = join(folder, 'users-1-day.ndjson');
  const database = await createBenchDatabase();
  const pool = createPool(database.url, { max: 4 });
  try {
    await writeReport(file);
    await migrateAll(pool);
    console.log(`Copilot import bench — load average ${loadavg().map((n) => n.toFixed(1)).join(' ')} — ${ROWS} user-day rows (${USERS} users, ${Math.round(statSync(file).size / MB)} MB of NDJSON), ${database.server}, node ${process.version}`);

    const mapped = await measure(file, async (events) => ({ accepted: events.length, duplicates: 0, rejected: [] }), 'map-only');
    const line = (name: string, figure: Awaited<ReturnType<typeof measure>>, note: string) =>
      console.log(`${name.padEnd(44)} ${String(figure.rowsPerSecond).padStart(8)} rows/s   peak RSS ${figure.peakEarlyMb} MB after ${ROWS / 10} rows, ${figure.peakMb} MB at the end   ${note}`);
    line('parse + map (no store)', mapped, `${mapped.summary.events} events`);
    if (!STORE) return;
    const store = createPostgresEventStore({ pool });
    const stored = await measure(file, (events) => ingestEvents(store, 'bench-copilot', events), 'bench-copilot');
    line('file → event store (ingestEvents)', stored, `${stored.summary.accepted} stored`);
    const again = await measure(file, (events) => ingestEvents(store, 'bench-copilot', events), 'bench-copilot');
    line('the same file again (all duplicates)', again, `${again.summary.duplicates} duplicates, ${again.summary.accepted} stored`);
    // The reference: the same facts, mapped beforehand and held in memory, appended the same way (the store's own rate).
    const events: Parameters<UsageSink>[0][number][] = [];
    await importCopilotUsageFile(ndjsonLines(createReadStream(file)), { scope: { kind: 'org', name: 'bench-reference' }, importDay: '2026-12-06', sink: async (batch) => (events.push(...batch), { accepted: batch.length, duplicates: 0, rejected: [] }) });
    const startedAt = performance.now();
    for (let i = 0; i < events.length; i += 1000) await ingestEvents(store, 'bench-reference', events.slice(i, i + 1000));
    console.log(`${'reference: the same facts from memory'.padEnd(44)} ${String(Math.round(events.length / ((performance.now() - startedAt) / 1000))).padStart(8)} events/s (ingestEvents, batches of 1000)`);
    await store.close();
  } finally {
    rmSync(folder, { recursive: true, force: true });
    await pool.end();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
