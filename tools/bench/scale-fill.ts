import { validateEvent, type ValidEvent } from '@rework-ledger/contracts';
import { generateOrganisation, type OrganisationOptions, preset, type SyntheticOrganisation, withUsageReports } from '@rework-ledger/demo-data';
import type { EventStore } from '@rework-ledger/event-store';
import { toStreamAppends } from '@rework-ledger/ingestion/core';
import { Presets, SingleBar } from 'cli-progress';
import { readFileSync } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Pool } from 'pg';

/** Events of the `bench` preset as generated (docs/benchmarks.md, "Read side at scale"): the first guess of the scale. */
const BENCH_PRESET_EVENTS = 1_443_891;
/** Employees of the sample organisations the output rate is calibrated on (their output rates are drawn: ±1.6 % of noise). */
const CALIBRATION_EMPLOYEES = 500;
/** Above the target, so that the whole organisation (a whole year) holds at least the events asked for. */
const MARGIN = 1.05;
/** How often the fill's progress line is printed when the output is not a terminal. */
const PROGRESS_EVERY_MS = 30_000;
/** Events generated between two turns of the event loop, so that the append in flight moves on meanwhile. */
const YIELD_EVERY = 250;

/** The events `demo load` appends for an organisation: its facts, with the daily usage reports derived from its outputs. */
export const organisationEvents = (organisation: SyntheticOrganisation) => withUsageReports(organisation.iterateEvents());

function countEvents(options: OrganisationOptions): number {
  let events = 0;
  for (const _event of organisationEvents(generateOrganisation(options))) events++;
  return events;
}

/**
 * The `bench` preset (10,000 employees, 12 teams, a year, ending at `end`) with its output rate raised until the
 * organisation holds at least `target` events: the PRODUCT.md target is for 10,000 employees at 10M events, so the
 * people stay and each makes more outputs. Calibrated on a sample of employees (events per employee grow with the
 * rate, the usage reports a little less than in proportion), then a margin.
 */
export function scaledOrganisationOptions(target: number, tenant: string, end: Date): OrganisationOptions {
  const base = preset('bench', { tenant, now: end });
  let rate = (base.outputsPerEmployeePerWeek * target) / BENCH_PRESET_EVENTS;
  for (let round = 0; round < 2; round++) {
    const sampled = countEvents({ ...base, employees: CALIBRATION_EMPLOYEES, outputsPerEmployeePerWeek: rate });
    rate *= target / ((sampled * base.employees) / CALIBRATION_EMPLOYEES);
  }
  return { ...base, outputsPerEmployeePerWeek: Math.round(rate * MARGIN * 1000) / 1000 };
}

/** A tenth of the fill: how many events the log held at its end, how fast it went, and the log's size then. */
export type FillSegment = Readonly<{ events: number; eventsPerSecond: number; logBytes: number }>;
export type FillResult = Readonly<{ events: number; seconds: number; segments: readonly FillSegment[] }>;

const logBytes = async (pool: Pool): Promise<number> =>
  Number((await pool.query<{ bytes: string }>(`SELECT (pg_total_relation_size('events') + pg_total_relation_size('streams'))::text AS bytes`)).rows[0].bytes);

/**
 * Appends the organisation's events to the log through the event store's append (validated as the API validates them,
 * one stream per entity), `batchSize` at a time, streamed from the generator: one batch in memory while the previous
 * one is appended, never the whole organisation. Prints a progress line (rate, ETA) and a line per tenth.
 */
export async function fillLog(
  store: EventStore,
  pool: Pool,
  organisation: SyntheticOrganisation,
  options: Readonly<{ expected: number; batchSize: number }>,
): Promise<FillResult> {
  const { tenant } = organisation;
  const tenth = Math.ceil(options.expected / 10);
  const bar = new SingleBar(
    {
      format: 'filling the log |{bar}| {percentage}% | {value}/{total} events | {rate} events/s | ETA {eta_formatted}',
      noTTYOutput: true,
      notTTYSchedule: PROGRESS_EVERY_MS,
      etaBuffer: 200,
      hideCursor: true,
      stream: process.stdout,
    },
    Presets.shades_classic,
  );
  const segments: FillSegment[] = [];
  const startedAt = performance.now();
  let appended = 0;
  let segmentStart = { events: 0, at: startedAt };
  let inFlight: Promise<void> = Promise.resolve();
  const endSegment = async () => {
    const now = performance.now();
    const segment = { events: appended, eventsPerSecond: (appended - segmentStart.events) / ((now - segmentStart.at) / 1000), logBytes: await logBytes(pool) };
    segments.push(segment);
    console.log(
      `  tenth ${segments.length}: ${appended.toLocaleString('en')} events, ${Math.round(segment.eventsPerSecond).toLocaleString('en')} events/s over the tenth, ` +
        `log ${(segment.logBytes / 2 ** 30).toFixed(2)} GiB (${Math.round(segment.logBytes / appended)} bytes/event), load average ${loadAverage()}`,
    );
    segmentStart = { events: appended, at: performance.now() };
  };
  const append = async (batch: ValidEvent[]) => {
    const result = await store.append(tenant, toStreamAppends(batch));
    if (result.duplicates.length > 0) throw new Error(`the log already held ${result.duplicates.length} of these events: fill an empty database`);
    appended += batch.length;
    const elapsed = (performance.now() - startedAt) / 1000;
    bar.update(appended, { rate: Math.round(appended / elapsed).toLocaleString('en') });
    if (appended - segmentStart.events >= tenth) await endSegment();
  };

  bar.start(options.expected, 0, { rate: 0 });
  try {
    let batch: ValidEvent[] = [];
    for (const raw of organisationEvents(organisation)) {
      const result = validateEvent(raw, { fromCredentials: tenant });
      if (!result.ok) throw new Error(`the generator made an invalid event: ${JSON.stringify(result.errors)}`);
      batch.push(result.event);
      if (batch.length % YIELD_EVERY === 0) await yieldToEventLoop();
      if (batch.length < options.batchSize) continue;
      // One append at a time, as one loader does; the next batch is generated and validated meanwhile.
      await inFlight;
      inFlight = append(batch);
      // Its failure is thrown where it is awaited, not reported as unhandled while the next batch is made.
      inFlight.catch(() => undefined);
      batch = [];
    }
    await inFlight;
    if (batch.length > 0) await append(batch);
    if (appended > segmentStart.events) await endSegment();
  } finally {
    bar.setTotal(Math.max(appended, 1));
    bar.stop();
  }
  return { events: appended, seconds: (performance.now() - startedAt) / 1000, segments };
}

/** The machine's load average over 1, 5 and 15 minutes, as /proc prints it ('n/a' elsewhere). */
export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}
