import { createPostgresEventStore, START } from '@rework-ledger/event-store';
import { createProjectionRunner, type ProjectionStatus } from '@rework-ledger/projections';
import { READ_MODEL_PROJECTIONS } from '@rework-ledger/read-models';
import type { Pool } from 'pg';
import { openCliRuntime, stringOption } from '../cli-runtime';
import { type CliCommand, UsageError } from '../command';
import { eventsPerSecond, progressBar } from '../progress';

export type RebuildSummary = { name: string; events: number; seconds: number; eventsPerSecond: number; rebuiltBy: 'this command' | 'another process' };

const POLL_MS = 250;

/**
 * `projections rebuild <name>`: asks for a rebuild (beside the live read model, then swapped) and follows it. The
 * process that holds the projection's lock does the work: the running API if there is one, else this command.
 */
export const projectionsRebuildCommand: CliCommand = {
  name: ['projections', 'rebuild'],
  summary: 'rebuild a read model from the event store beside the live one, then swap (progress bar, events/s)',
  usage: `projections rebuild <${READ_MODEL_PROJECTIONS.map((projection) => projection.name).join('|')}> [--timeout <seconds>]`,
  options: {
    timeout: { type: 'string', description: 'give up after this many seconds (default 3600)' },
  },
  async run(options, positionals) {
    const name = positionals[0];
    const names = READ_MODEL_PROJECTIONS.map((projection) => projection.name);
    if (!name) throw new UsageError(`name the projection to rebuild: ${names.join(', ')}`);
    const projection = READ_MODEL_PROJECTIONS.find((candidate) => candidate.name === name);
    if (!projection) throw new UsageError(`no projection is named ${name}; one of ${names.join(', ')}`);
    const timeoutText = stringOption(options, 'timeout');
    const timeoutSeconds = timeoutText === undefined ? 3600 : Number(timeoutText);
    if (!(timeoutSeconds > 0)) throw new UsageError(`--timeout takes a number of seconds > 0 (got ${timeoutText})`);

    const runtime = await openCliRuntime();
    const store = createPostgresEventStore({ pool: runtime.pool });
    const runner = createProjectionRunner({ pool: runtime.pool, store, projection, idlePollMs: POLL_MS });
    const bar = progressBar(`rebuilding ${name} |{bar}| {percentage}% | {value}/{total} events | {rate} events/s`);
    try {
      const before = await runner.status();
      // A read model counts the events of the types it reads.
      const total = Math.max(1, projection.handles ? await countOfTypes(runtime.pool, projection.handles) : (await store.lagAfter(START)).events);
      await runner.requestRebuild();
      // Takes the lock when no other process holds it (the API not running): then this command rebuilds.
      runner.start();
      const requestedAt = Date.now();
      let startedAt: number | undefined;
      bar.start(total, 0, { rate: 0 });
      const deadline = requestedAt + timeoutSeconds * 1000;
      let status: ProjectionStatus = before;
      let rebuiltByUs = false;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        status = await runner.status();
        if (status.state === 'running') rebuiltByUs = true;
        if (status.lastError) process.stderr.write(`\n${name}: ${status.lastError}\n`);
        if (status.rebuild.startedAt) startedAt ??= Date.parse(status.rebuild.startedAt);
        const applied = status.rebuild.eventsApplied ?? 0;
        bar.setTotal(Math.max(total, applied));
        bar.update(applied, { rate: eventsPerSecond(applied, startedAt ?? requestedAt) });
        const finished = status.rebuild.requestedAt === null && status.rebuild.lastRebuiltAt !== null && status.rebuild.lastRebuiltAt !== before.rebuild.lastRebuiltAt;
        if (finished) break;
        if (Date.now() > deadline) throw new Error(`${name} was not rebuilt within ${timeoutSeconds} s; it goes on in the process that holds its lock`);
      }
      const seconds = (Date.parse(status.rebuild.lastRebuiltAt as string) - (startedAt ?? requestedAt)) / 1000;
      const events = status.eventsApplied;
      bar.update(events, { rate: Math.round(events / Math.max(seconds, 0.001)) });
      bar.stop();
      const summary: RebuildSummary = {
        name,
        events,
        seconds: Math.round(seconds * 100) / 100,
        eventsPerSecond: Math.round(events / Math.max(seconds, 0.001)),
        rebuiltBy: rebuiltByUs ? 'this command' : 'another process',
      };
      process.stderr.write(`rebuilt ${name} from ${events} events in ${summary.seconds} s (${summary.eventsPerSecond} events/s) by ${summary.rebuiltBy}\n`);
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } finally {
      bar.stop();
      await runner.stop();
      await store.close();
      await runtime.close();
    }
  },
};

/** How many stored events are of these types. */
async function countOfTypes(pool: Pool, types: readonly string[]): Promise<number> {
  const { rows } = await pool.query<{ count: string }>('SELECT count(*)::text AS count FROM events WHERE type = ANY ($1::text[])', [[...types]]);
  return Number(rows[0].count);
}
