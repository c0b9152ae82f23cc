import { generateOrganisation, PRESET_NAMES, type PresetName, preset, withUsageReports } from '@rework-ledger/demo-data';
import { createPostgresEventStore } from '@rework-ledger/event-store';
import { ingestEvents } from '@rework-ledger/ingestion';
import { openCliRuntime, stringOption } from '../cli-runtime';
import { type CliCommand, UsageError } from '../command';
import { eventsPerSecond, progressBar } from '../progress';

const DAY_MS = 86_400_000;

export type DemoLoadSummary = { tenant: string; preset: PresetName; employees: number; events: number; accepted: number; duplicates: number; eventsPerSecond: number };

/**
 * `demo load`: generates a synthetic organisation (libs/demo-data) ending today and appends it through the same
 * validation and append path as the API (ingestEvents). Its events have stable ids: loading it again stores nothing twice.
 */
export const demoLoadCommand: CliCommand = {
  name: ['demo', 'load'],
  summary: 'generate a synthetic organisation ending today and load it into the event store (progress bar)',
  usage: `demo load [--preset ${PRESET_NAMES.join('|')}] [--tenant <tenant>] [--employees <n>] [--batch <events>]`,
  options: {
    preset: { type: 'string', description: `organisation size: ${PRESET_NAMES.join(', ')} (default small)` },
    tenant: { type: 'string', description: 'the tenant to load it for (default: the preset name)' },
    employees: { type: 'string', description: "number of employees (default: the preset's)" },
    batch: { type: 'string', description: 'events per append (default 2000)' },
  },
  async run(options) {
    const name = (stringOption(options, 'preset') ?? 'small') as PresetName;
    if (!PRESET_NAMES.includes(name)) throw new UsageError(`--preset takes ${PRESET_NAMES.join(', ')} (got ${name})`);
    const employeesText = stringOption(options, 'employees');
    const employees = employeesText === undefined ? undefined : Number(employeesText);
    if (employees !== undefined && !(Number.isInteger(employees) && employees >= 2 && employees <= 1_000_000)) {
      throw new UsageError(`--employees takes a whole number from 2 to 1,000,000 (got ${employeesText})`);
    }
    const batchText = stringOption(options, 'batch');
    const batchSize = batchText === undefined ? 2000 : Number(batchText);
    if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 10_000)) throw new UsageError(`--batch takes a whole number from 1 to 10,000 (got ${batchText})`);
    const today = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
    const tenant = stringOption(options, 'tenant') ?? name;
    const organisation = generateOrganisation(preset(name, { tenant, now: today, ...(employees !== undefined ? { employees } : {}) }));
    const summary = await loadOrganisation(organisation, name, batchSize);
    process.stderr.write(
      `loaded the ${name} organisation for tenant "${tenant}": ${summary.events} events (${summary.accepted} new, ${summary.duplicates} already stored), ` +
        `${summary.eventsPerSecond} events/s; the API's projection runners bring the read models up to date (npm start)\n`,
    );
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  },
};

async function loadOrganisation(organisation: ReturnType<typeof generateOrganisation>, name: PresetName, batchSize: number): Promise<DemoLoadSummary> {
  const { options } = organisation;
  const runtime = await openCliRuntime();
  const store = createPostgresEventStore({ pool: runtime.pool });
  const start = options.start.getTime();
  const days = Math.max(1, Math.round((options.end.getTime() - start) / DAY_MS));
  const bar = progressBar(`loading ${options.tenant} |{bar}| day {value}/{total} | {events} events | {rate} events/s`);
  const startedAt = Date.now();
  const totals = { events: 0, accepted: 0, duplicates: 0 };
  try {
    bar.start(days, 0, { events: 0, rate: 0 });
    let batch: { time: string }[] = [];
    const flush = async () => {
      const result = await ingestEvents(store, options.tenant, batch);
      if (result.rejected.length > 0) throw new Error(`the generator made an invalid event: ${JSON.stringify(result.rejected[0])}`);
      totals.events += batch.length;
      totals.accepted += result.accepted;
      totals.duplicates += result.duplicates;
      const day = Math.min(days, Math.max(0, Math.floor((Date.parse(batch[batch.length - 1].time) - start) / DAY_MS)));
      bar.update(day, { events: totals.events, rate: eventsPerSecond(totals.events, startedAt) });
      batch = [];
    };
    // With daily usage reports derived from the outputs, so that adoption and spend show beside the rework.
    for (const event of withUsageReports(organisation.iterateEvents())) {
      batch.push(event as { time: string });
      if (batch.length >= batchSize) await flush();
    }
    if (batch.length > 0) await flush();
    bar.update(days, { events: totals.events, rate: eventsPerSecond(totals.events, startedAt) });
  } finally {
    bar.stop();
    await store.close();
    await runtime.close();
  }
  return { tenant: options.tenant, preset: name, employees: options.employees, ...totals, eventsPerSecond: eventsPerSecond(totals.events, startedAt) };
}

