import { generateOrganisation, preset } from '@rework-ledger/demo-data';
import { EVENT_TYPES, REWORK_GROUP_BYS } from '@rework-ledger/domain';
import { createPostgresEventStore, type EventStore } from '@rework-ledger/event-store';
import { ingestEvents } from '@rework-ledger/ingestion';
import { createPool } from '@rework-ledger/platform';
import { createProjectionRunner } from '@rework-ledger/projections';
import { fromPgPool, queryReworkMetrics, queryUsageMetrics, READ_MODEL_PROJECTIONS } from '@rework-ledger/read-models';
import { migrateAll } from '@rework-ledger/runtime';
import { createTenantSettingsStore, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE, TenantSettingsEntity, type TenantSettingsStore } from '@rework-ledger/tenancy';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import { CourseImpactService } from '@rework-ledger/training-api';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { useCliTestDatabase } from '../cli.test-support';
import { UsageError } from '../command';
import { eventsExportCommand, exportTenantEvents } from './events-export.command';
import { sendNdjson, type SendTarget } from './events-send.command';

jest.setTimeout(120_000);

const TENANT = 'acme';
// The small organisation (30 employees, 3 teams, 6 months, one course), shortened to 10 weeks to keep the test quick.
const organisation = generateOrganisation(preset('small', { tenant: TENANT, start: new Date('2025-04-22T00:00:00Z') }));
const END = organisation.options.end;
/**
 * The generator makes no usage facts: one per employee and week of outputs, as a usage report would send, so that the
 * backup holds every event type.
 */
const usageFacts = (generated: readonly Record<string, unknown>[]): Record<string, unknown>[] => {
  const weeks = new Map<string, { employeeId: string; day: string; requests: number }>();
  for (const event of generated) {
    if (event['type'] !== 'ai.output.generated') continue;
    const { employeeId } = event['data'] as { employeeId: string };
    const day = String(event['time']).slice(0, 10);
    const monday = new Date(Date.parse(day) - ((new Date(day).getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
    const entry = weeks.get(`${employeeId}/${monday}`) ?? { employeeId, day: monday, requests: 0 };
    entry.requests += 1;
    weeks.set(`${employeeId}/${monday}`, entry);
  }
  return [...weeks.values()].map(({ employeeId, day, requests }) => ({
    specversion: '1.0',
    id: `usage-${employeeId}-${day}`,
    source: 'urn:test:usage-report',
    type: 'ai.usage.recorded',
    time: `${day}T12:00:00Z`,
    data: { employeeId, tool: 'github-copilot', day, usageKey: `${employeeId}/${day}`, requests, cost: requests / 100, currency: 'USD' },
  }));
};
/** A completion withdrawn (a corrected LMS export): the first of the organisation, retracted just after it. */
const retraction = (all: readonly Record<string, unknown>[]) => {
  const completed = all.find((event) => event['type'] === 'training.completed') as { time: string; data: { employeeId: string; courseId: string } };
  return {
    specversion: '1.0',
    id: 'retraction-1',
    source: 'urn:test:lms-export',
    type: 'training.completion_retracted',
    time: new Date(Date.parse(completed.time) + 1).toISOString(),
    data: { employeeId: completed.data.employeeId, courseId: completed.data.courseId },
  };
};
const generatedEvents = organisation.allEvents() as unknown as Record<string, unknown>[];
const events = [...organisation.allEvents(), ...usageFacts(generatedEvents), retraction(generatedEvents)];

/** One database: the event store, the read models kept by the projection runners, and what the API reads them with. */
type Site = { database: TestDatabase; pool: Pool; store: EventStore; dataSource: DataSource; settings: TenantSettingsStore };

async function openSite(): Promise<Site> {
  const database = await createTestDatabase();
  const pool = createPool(database.url, { max: 8 });
  await migrateAll(pool);
  const dataSource = await new DataSource({ type: 'postgres', url: database.url, entities: [TenantSettingsEntity], synchronize: false, extra: { max: 2 } }).initialize();
  const settings = createTenantSettingsStore(dataSource, { currency: 'USD', defaultHourlyCost: 60, privacyMinGroupSize: 5, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE });
  return { database, pool, store: createPostgresEventStore({ pool }), dataSource, settings };
}

async function closeSite(site: Site | undefined): Promise<void> {
  if (!site) return;
  await site.store.close();
  await site.dataSource.destroy();
  await site.pool.end();
  await site.database.drop();
}

/** Runs every projection of the platform until it has applied everything stored, as the API's runners do. */
async function project(site: Site): Promise<void> {
  const runners = READ_MODEL_PROJECTIONS.map((projection) => createProjectionRunner({ pool: site.pool, store: site.store, projection, idlePollMs: 50 }));
  for (const runner of runners) runner.start();
  try {
    for (const runner of runners) await runner.waitUntilCaughtUp(60_000);
  } finally {
    for (const runner of runners) await runner.stop();
  }
}

/** What a user of the API sees: rework metrics by every grouping and week, and the course's impact (as an admin). */
async function everyMetric(site: Site): Promise<unknown> {
  const settings = await site.settings.get(TENANT);
  const from = organisation.options.start;
  const rework: Record<string, unknown> = {};
  for (const groupBy of [undefined, ...REWORK_GROUP_BYS]) {
    for (const bucket of [undefined, 'week'] as const) {
      rework[`${groupBy ?? 'total'}/${bucket ?? 'all'}`] = await queryReworkMetrics(fromPgPool(site.pool), {
        tenant: TENANT,
        from,
        to: END,
        ...(groupBy ? { groupBy } : {}),
        ...(bucket ? { bucket } : {}),
        filters: {},
        defaultHourlyCost: settings.defaultHourlyCost,
        defaultMinutesSavedByTaskType: settings.minutesSavedByTaskType,
        privacyMinGroupSize: settings.privacyMinGroupSize,
      });
    }
  }
  const impactService = new CourseImpactService(site.dataSource, site.settings);
  const courses = await impactService.courses(TENANT);
  const impact = await Promise.all(courses.map((course) => impactService.impact(TENANT, course.courseId, { windowDays: 28, minOutputs: 5, horizonDays: 90, asOf: END }, true)));
  const usage: Record<string, unknown> = {};
  for (const groupBy of [undefined, 'team', 'tool', 'model'] as const) {
    usage[groupBy ?? 'total'] = await queryUsageMetrics(fromPgPool(site.pool), { tenant: TENANT, from, to: END, bucket: 'week', ...(groupBy ? { groupBy } : {}), privacyMinGroupSize: settings.privacyMinGroupSize });
  }
  return { rework, courses, impact, usage };
}

/** `events send`'s target for the test: the API's ingestion path (validation with the caller's tenant, then append). */
function ingestionTarget(store: EventStore): SendTarget {
  return {
    kind: 'http',
    describe: 'the ingestion path',
    send: async (events: readonly Record<string, unknown>[]) => {
      const result = await ingestEvents(store, TENANT, events);
      return { accepted: result.accepted, duplicates: result.duplicates, queued: 0, rejected: result.rejected.map((rejection) => ({ ...rejection, errors: [...rejection.errors] })) };
    },
    close: async () => undefined,
  };
}

async function exportToFile(site: Site, file: string, pageSize: number): Promise<number> {
  const output = createWriteStream(file);
  const written = await exportTenantEvents({ store: site.store, tenant: TENANT, output, pageSize });
  output.end();
  await once(output, 'finish');
  return written;
}

describe('events export, then events send into a fresh database (backup and restore)', () => {
  let original: Site;
  let restored: Site;
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'rl-export-'));
    [original, restored] = await Promise.all([openSite(), openSite()]);
    for (let i = 0; i < events.length; i += 2000) expect((await ingestEvents(original.store, TENANT, events.slice(i, i + 2000))).rejected).toEqual([]);
    // Another tenant's events stay out of the export.
    await ingestEvents(original.store, 'other', events.slice(0, 50));
    await project(original);
  });

  afterAll(async () => {
    await closeSite(original);
    await closeSite(restored);
    rmSync(folder, { recursive: true, force: true });
  });

  it('restores every event once, and every metric is equal', async () => {
    const file = join(folder, 'acme.ndjson');
    const progress: number[] = [];
    const output = createWriteStream(file);
    const written = await exportTenantEvents({ store: original.store, tenant: TENANT, output, pageSize: 997, onProgress: (count) => progress.push(count) });
    output.end();
    await once(output, 'finish');
    expect(written).toBe(events.length);
    expect(progress.length).toBeGreaterThan(1); // read a page at a time
    expect(progress[progress.length - 1]).toBe(events.length);

    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(events.length);
    expect(new Set(lines.map((line) => line['type']))).toEqual(new Set(EVENT_TYPES));
    expect(lines[0]).toMatchObject({ specversion: '1.0', tenant: TENANT, datacontenttype: 'application/json', id: expect.any(String), source: expect.any(String), time: expect.any(String), data: expect.any(Object) });
    expect(lines.every((line) => line['tenant'] === TENANT)).toBe(true);

    const sent = await sendNdjson({ input: createReadStream(file), target: ingestionTarget(restored.store), batchSize: 1000 });
    expect(sent).toMatchObject({ sent: events.length, accepted: events.length, duplicates: 0, rejected: [], invalidLines: [] });
    const again = await sendNdjson({ input: createReadStream(file), target: ingestionTarget(restored.store), batchSize: 1000 });
    expect(again).toMatchObject({ sent: events.length, accepted: 0, duplicates: events.length, rejected: [] });

    await project(restored);
    const [before, after] = await Promise.all([everyMetric(original), everyMetric(restored)]);
    expect(after).toEqual(before);
    expect((before as { impact: unknown[] }).impact.length).toBeGreaterThan(0);
    expect(Object.values((before as { usage: Record<string, unknown[]> }).usage).every((rows) => rows.length > 0)).toBe(true);

    // The restored log exports to the same lines: nothing was lost, added or changed on the way. (Not in the same
    // order: an append groups a batch's events by stream, which keeps each stream's order, not the batch's.)
    const second = join(folder, 'restored.ndjson');
    expect(await exportToFile(restored, second, 5000)).toBe(events.length);
    const sorted = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n').sort();
    expect(sorted(second)).toEqual(sorted(file));
  });
});

describe('cli events export', () => {
  const context = useCliTestDatabase();
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'rl-export-cli-'));
    const pool = createPool(context.database.url, { max: 2 });
    try {
      await migrateAll(pool);
      const store = createPostgresEventStore({ pool });
      expect((await ingestEvents(store, TENANT, events.slice(0, 300))).accepted).toBe(300);
      await store.close();
    } finally {
      await pool.end();
    }
  });

  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('given --out, then it writes the whole file under its name (no .partial left) with owner-only access', async () => {
    const out = join(folder, 'backup.ndjson');
    await eventsExportCommand.run({ tenant: TENANT, out, page: '100' }, []);
    expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(300);
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect(statSync(out).mode & 0o077).toBe(0);
  });

  it('given no --out, then it writes to stdout', async () => {
    context.printed = '';
    await eventsExportCommand.run({ tenant: TENANT }, []);
    expect(context.printed.trimEnd().split('\n').map((line) => (JSON.parse(line) as { tenant: string }).tenant)).toEqual(Array(300).fill(TENANT));
  });

  it('given no tenant or a bad page size, then a usage error', async () => {
    await expect(eventsExportCommand.run({}, [])).rejects.toBeInstanceOf(UsageError);
    await expect(eventsExportCommand.run({ tenant: TENANT, page: '0' }, [])).rejects.toBeInstanceOf(UsageError);
  });
});
