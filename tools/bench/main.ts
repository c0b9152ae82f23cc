// npm run bench: write-path throughput on this machine, each beside the raw COPY rate of the same rows into the
// same PostgreSQL in the same run. Options (environment): BENCH_EVENTS (default 50000), DATABASE_URL, BENCH_PROFILE=true
// (each rebuild's time per statement) and BENCH_EXPLAIN=true (with it: the plans of a rebuild's derive statements),
// BENCH_ORGANISATION=bench (the 10,000-person organisation of bench:kafka; default demo), BENCH_KEEP_DATABASE=true (the database is kept, its URL printed), BENCH_PATHS (default append,http,rebuild: the paths
// measured), BENCH_CPU_PROFILE=<file> (a .cpuprofile of the HTTP path, from the first request until the read models are
// up to date: summarise it with cpu-profile-summary.js). With BENCH_PROFILE the HTTP path's statements are timed too.
// BENCH_PATHS=split: the HTTP path taken apart (ingest with the read models stopped, then their catching up alone;
// BENCH_CPU_PROFILE=<file> then also writes <file>.catch-up, and BENCH_PROFILE times the catching up's statements);
// BENCH_PATHS=apart: the HTTP path with the read models kept by a projector process of their own (needs npm run build:server).
import 'reflect-metadata';
import { validateEvent, type ValidEvent } from '@rework-ledger/contracts';
import { generateOrganisation, preset } from '@rework-ledger/demo-data';
import { createPostgresEventStore } from '@rework-ledger/event-store';
import { toStreamAppends } from '@rework-ledger/ingestion/core';
import { createPool } from '@rework-ledger/platform';
import { PROJECTION_RUNNERS, type ProjectionRunner } from '@rework-ledger/projections';
import { READ_MODEL_PROJECTIONS } from '@rework-ledger/read-models';
import { migrateAll } from '@rework-ledger/runtime';
import { API_KEYS, type ApiKeys, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { createBenchDatabase } from './bench-database';
import { cpuSeconds, everyReadModelAtHead, startApp, stopApp } from './child-apps';
import { databaseCpuMeter } from './database-cpu';
import { type CopyFloor, measureRawCopy } from './raw-copy';
import { statementProfile } from './statement-profile';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 50_000);
/** The synthetic organisation the events come from: `demo` (300 people) or `bench` (10,000 people, as bench:kafka). */
const ORGANISATION = process.env['BENCH_ORGANISATION'] === 'bench' ? 'bench' : 'demo';
const APPEND_BATCH = 1000;
const HTTP_BATCH = 500;
const HTTP_CONCURRENCY = 4;
const PATHS = new Set((process.env['BENCH_PATHS'] ?? 'append,http,rebuild').split(',').map((path) => path.trim()));

/** BENCH_CPU_PROFILE: this process's CPU profile between `start()` and `stop()`, written to that file. */
function cpuProfiler(file: string | undefined): { start(): Promise<void>; stop(): Promise<void> } {
  const session = new Session();
  return {
    async start() {
      if (file === undefined) return;
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    },
    async stop() {
      if (file === undefined) return;
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** BENCH_CPU_PROFILE=<file>: the file of a phase's profile (`<file>` for the HTTP path, `<file>.<phase>` for the others). */
function profileFile(phase: 'http' | 'catch-up'): string | undefined {
  const file = process.env['BENCH_CPU_PROFILE'];
  return file === undefined || phase === 'http' ? file : `${file}.${phase}`;
}

type Figure = { name: string; eventsPerSecond: number; floor?: CopyFloor };

function takeEvents(count: number): Record<string, unknown>[] {
  const organisation = generateOrganisation(preset(ORGANISATION, { now: new Date('2026-06-01T00:00:00Z'), tenant: 'bench' }));
  const events: Record<string, unknown>[] = [];
  for (const event of organisation.iterateEvents()) {
    events.push(event as unknown as Record<string, unknown>);
    if (events.length >= count) break;
  }
  return events;
}

function validated(raw: readonly Record<string, unknown>[], tenant: string): ValidEvent[] {
  return raw.map((event) => {
    const result = validateEvent(event, { fromCredentials: tenant });
    if (!result.ok) throw new Error(`bench event invalid: ${JSON.stringify(result.errors)}`);
    return result.event;
  });
}

/** Posts the bodies with HTTP_CONCURRENCY clients under an API key; answers how many events were accepted. */
function postAll(url: string, bodies: readonly string[]): (key: string) => Promise<number> {
  return async (key) => {
    let next = 0;
    let accepted = 0;
    await Promise.all(
      Array.from({ length: HTTP_CONCURRENCY }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++];
          const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
          const result = (await response.json()) as { accepted: number };
          if (response.status !== 202) throw new Error(`HTTP ${response.status}: ${JSON.stringify(result)}`);
          accepted += result.accepted;
        }
      }),
    );
    return accepted;
  };
}

/** This process's and the bench database's PostgreSQL backends' CPU from now, as a line per event. */
function cpuUsage(databaseUrl: string): { line(what: string, events: number): string } {
  const processBefore = process.cpuUsage();
  const meter = databaseCpuMeter(new URL(databaseUrl).pathname.slice(1));
  return {
    line(what, events) {
      const own = process.cpuUsage(processBefore);
      const database = meter.stop();
      return (
        `${what}: this process's CPU ${((own.user + own.system) / 1e6).toFixed(2)} s (${((own.user + own.system) / events).toFixed(1)} µs/event), ` +
        `PostgreSQL's ${database.toFixed(2)} s (${((database * 1e6) / events).toFixed(1)} µs/event)`
      );
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (startedAt: number) => (performance.now() - startedAt) / 1000;
const rate = (count: number, startedAt: number) => count / seconds(startedAt);

async function main(): Promise<void> {
  const profile = statementProfile();
  const database = await createBenchDatabase();
  const pool = createPool(database.url, { max: 10 });
  const figures: Figure[] = [];
  try {
    await migrateAll(pool);
    const raw = takeEvents(EVENTS);
    console.log(`Rework Ledger bench — ${raw.length} events (${ORGANISATION} organisation), ${database.server}, node ${process.version}`);

    // 1. Event-store append, batches of 1000, one stream per entity.
    const store = createPostgresEventStore({ pool });
    const appendEvents = PATHS.has('append') ? validated(raw, 'bench-append') : [];
    let startedAt = performance.now();
    if (PATHS.has('append')) {
      const copyBeforeAppend = await measureRawCopy(pool, appendEvents);
      startedAt = performance.now();
      for (let i = 0; i < appendEvents.length; i += APPEND_BATCH) {
        await store.append('bench-append', toStreamAppends(appendEvents.slice(i, i + APPEND_BATCH)));
      }
      figures.push({ name: `event-store append (batches of ${APPEND_BATCH})`, eventsPerSecond: rate(appendEvents.length, startedAt), floor: copyBeforeAppend });
    }

    // 2. HTTP ingest through the API app (validation + append), projections running in the same process.
    const app = await createApiApp(
      {
        databaseUrl: database.url,
        defaults: { currency: 'USD', defaultHourlyCost: 60, privacyMinGroupSize: 5, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE },
      },
      ['error'],
    );
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    const bodies: string[] = [];
    for (let i = 0; i < raw.length; i += HTTP_BATCH) bodies.push(JSON.stringify(raw.slice(i, i + HTTP_BATCH)));
    const post = postAll(`${url}/v1/events`, bodies);
    const runners = app.get<ProjectionRunner[]>(PROJECTION_RUNNERS);
    // The read models' first build (of the append path's events) is over before the clock starts.
    for (const runner of runners) await runner.waitUntilCaughtUp(600_000);
    const profiles: string[] = [];
    const cpu: string[] = [];
    let accepted = 0;
    if (PATHS.has('http')) {
      const { key } = await app.get<ApiKeys>(API_KEYS).create('bench-http', ['ingest', 'read'], 'bench');
      const copyBeforeHttp = await measureRawCopy(pool, validated(raw, 'bench-http'));
      const cpuProfile = cpuProfiler(profileFile('http'));
      await cpuProfile.start();
      profile?.start();
      const usage = cpuUsage(database.url);
      startedAt = performance.now();
      accepted = await post(key);
      figures.push({ name: `HTTP ingest (batches of ${HTTP_BATCH}, ${HTTP_CONCURRENCY} clients)`, eventsPerSecond: accepted / seconds(startedAt), floor: copyBeforeHttp });
      for (const runner of runners) await runner.waitUntilCaughtUp(600_000);
      figures.push({ name: 'HTTP ingest → read model up to date', eventsPerSecond: accepted / seconds(startedAt), floor: copyBeforeHttp });
      cpu.push(usage.line('HTTP ingest → read models', accepted));
      if (profile) profiles.push(`HTTP ingest → read models, ${seconds(startedAt).toFixed(2)} s, time per statement (BENCH_PROFILE):`, ...profile.stop());
      await cpuProfile.stop();
    }

    // 2b. The same path taken apart, in another tenant: ingest with the read models stopped, then the read models
    // catching up alone (their live path, batch by batch, not a rebuild). With a core for each side, the concurrent
    // figure above would tend to the slower of the two.
    if (PATHS.has('split')) {
      const { key } = await app.get<ApiKeys>(API_KEYS).create('bench-split', ['ingest', 'read'], 'bench-split');
      const copyBeforeSplit = await measureRawCopy(pool, validated(raw, 'bench-split'));
      for (const runner of runners) await runner.stop();
      let usage = cpuUsage(database.url);
      startedAt = performance.now();
      const stored = await post(key);
      figures.push({ name: 'HTTP ingest alone (read models stopped)', eventsPerSecond: stored / seconds(startedAt), floor: copyBeforeSplit });
      cpu.push(usage.line('HTTP ingest alone', stored));
      usage = cpuUsage(database.url);
      profile?.start();
      const cpuProfile = cpuProfiler(profileFile('catch-up'));
      await cpuProfile.start();
      startedAt = performance.now();
      for (const runner of runners) runner.start();
      for (const runner of runners) await runner.waitUntilCaughtUp(600_000);
      figures.push({ name: 'read models catching up alone (live batches)', eventsPerSecond: stored / seconds(startedAt), floor: copyBeforeSplit });
      cpu.push(usage.line('read models catching up alone', stored));
      if (profile) profiles.push(`read models catching up alone, ${seconds(startedAt).toFixed(2)} s, time per statement (BENCH_PROFILE):`, ...profile.stop());
      await cpuProfile.stop();
      accepted += stored;
    }

    // 2c. The deployment past one process (docs/scaling.md): the API ingests, a projector process of its own keeps
    // the read models (npm run projector), in another tenant. The in-process runners stop, so that the projector
    // takes their locks; they start again for the rebuilds below.
    if (PATHS.has('apart')) {
      const { key } = await app.get<ApiKeys>(API_KEYS).create('bench-apart', ['ingest', 'read'], 'bench-apart');
      const copyBeforeApart = await measureRawCopy(pool, validated(raw, 'bench-apart'));
      for (const runner of runners) await runner.stop();
      const projector = await startApp('apps/projector/src/main.js', { DATABASE_URL: database.url });
      try {
        while (!(await everyReadModelAtHead(pool, store, READ_MODEL_PROJECTIONS))) await sleep(50);
        const projectorCpuBefore = cpuSeconds(projector.child.pid as number);
        const usage = cpuUsage(database.url);
        startedAt = performance.now();
        const stored = await post(key);
        figures.push({ name: 'HTTP ingest, read models in a projector process', eventsPerSecond: stored / seconds(startedAt), floor: copyBeforeApart });
        while (!(await everyReadModelAtHead(pool, store, READ_MODEL_PROJECTIONS))) await sleep(20);
        figures.push({ name: 'HTTP ingest → read models up to date, projector process', eventsPerSecond: stored / seconds(startedAt), floor: copyBeforeApart });
        const projectorCpu = cpuSeconds(projector.child.pid as number) - projectorCpuBefore;
        cpu.push(`${usage.line('HTTP ingest → read models, projector process', stored)}, the projector's ${projectorCpu.toFixed(2)} s (${((projectorCpu * 1e6) / stored).toFixed(1)} µs/event)`);
        accepted += stored;
      } finally {
        await stopApp(projector);
      }
      for (const runner of runners) runner.start();
      for (const runner of runners) await runner.waitUntilCaughtUp(600_000);
    }

    // 3. Projection rebuild from the event store (every event of both tenants), one projection at a time.
    const total = appendEvents.length + accepted;
    // This process's CPU time too: on a shared machine it moves less than the wall clock (PostgreSQL's is not in it).
    for (const runner of PATHS.has('rebuild') ? runners : []) {
      startedAt = performance.now();
      const cpuBefore = process.cpuUsage();
      profile?.start();
      await runner.requestRebuild();
      await runner.waitUntilCaughtUp(600_000);
      if (profile) profiles.push(`projection rebuild: ${runner.name}, ${seconds(startedAt).toFixed(2)} s, time per statement (BENCH_PROFILE):`, ...profile.stop());
      figures.push({ name: `projection rebuild: ${runner.name} (${total.toLocaleString('en')} events)`, eventsPerSecond: rate(total, startedAt) });
      const { user, system } = process.cpuUsage(cpuBefore);
      cpu.push(`projection rebuild: ${runner.name}: this process's CPU ${((user + system) / 1e6).toFixed(2)} s (${((user + system) / total).toFixed(1)} µs/event)`);
    }
    await app.close();
    await store.close();

    console.log('');
    // The floor (PRODUCT.md's quality targets): rows formatted before the clock, COPY'd into a table with the event
    // table's identity constraints, the COPY alone timed; the earlier floor (formatted in JavaScript inside the clock,
    // no constraint) beside it, for continuity.
    const events = (n: number) => Math.round(n).toLocaleString('en');
    console.log('| path | events/s | floor: COPY, database side (same run) | ratio | earlier floor: COPY formatted in JS | ratio to it |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const { name, eventsPerSecond, floor } of figures) {
      const cells = floor
        ? [events(floor.databaseSide), (eventsPerSecond / floor.databaseSide).toFixed(2), events(floor.formattedInJavaScript), (eventsPerSecond / floor.formattedInJavaScript).toFixed(2)]
        : ['–', '–', '–', '–'];
      console.log(`| ${name} | ${events(eventsPerSecond)} | ${cells.join(' | ')} |`);
    }
    console.log('');
    for (const line of cpu) console.log(line);
    for (const line of profiles) console.log(line);
  } finally {
    await pool.end();
    if (process.env['BENCH_KEEP_DATABASE'] === 'true') console.log(`kept (BENCH_KEEP_DATABASE): ${database.url}`);
    else await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
