import type { ValidEvent } from '@rework-ledger/contracts';
import { LedgerError } from '@rework-ledger/domain';
import type { EventBus } from '@nestjs/cqrs';
import type { EventLog } from './event-log.port';
import { EventsQueuedEvent, QueueEventsCommand, QueueEventsHandler } from './queue-events.command';

const event = (id: string, type = 'ai.output.generated') => ({
  specversion: '1.0',
  id,
  source: 'urn:test',
  type,
  time: '2026-03-02T10:00:00Z',
  data: { outputId: `o-${id}`, employeeId: 'alice', tool: 'copilot', taskType: 'coding' },
});

/** An event log that remembers what it was given, or fails like an unreachable broker. */
function fakeLog(options: { boundTenant?: string; failing?: boolean } = {}) {
  const published: { tenant: string; events: readonly ValidEvent[] }[] = [];
  const log: EventLog = {
    ...(options.boundTenant ? { boundTenant: options.boundTenant } : {}),
    async publish(tenant, events) {
      if (options.failing) throw new Error('KafkaJSNumberOfRetriesExceeded: connection refused');
      published.push({ tenant, events });
    },
  };
  return { log, published };
}

function handler(log: EventLog) {
  const bus: EventsQueuedEvent[] = [];
  return { handler: new QueueEventsHandler({ publish: (e: EventsQueuedEvent) => bus.push(e) } as unknown as EventBus, log), bus };
}

describe('QueueEventsCommand (HTTP through the log)', () => {
  it('given valid and invalid events, then the valid ones are published with the caller’s tenant and queued, the others rejected', async () => {
    const { log, published } = fakeLog();
    const { handler: queue, bus } = handler(log);
    const result = await queue.execute(new QueueEventsCommand('acme', [event('1'), event('2', 'ai.output.liked'), event('3')]));
    expect(result).toEqual({ queued: 2, rejected: [{ index: 1, id: '2', errors: [expect.objectContaining({ code: 'EVENT.UNKNOWN_TYPE' })] }] });
    expect(published).toHaveLength(1);
    expect(published[0].tenant).toBe('acme');
    expect(published[0].events.map((e) => [e.id, e.tenant])).toEqual([['1', 'acme'], ['3', 'acme']]);
    expect(bus).toEqual([new EventsQueuedEvent('acme', 2)]);
  });

  it('given only invalid events, then nothing is published', async () => {
    const { log, published } = fakeLog();
    const result = await handler(log).handler.execute(new QueueEventsCommand('acme', [{ id: 'x' }]));
    expect(result.queued).toBe(0);
    expect(published).toEqual([]);
  });

  it('given a log bound to another tenant, then every event is rejected with EVENT.TENANT_MISMATCH', async () => {
    const { log, published } = fakeLog({ boundTenant: 'acme' });
    const result = await handler(log).handler.execute(new QueueEventsCommand('globex', [event('1'), event('2')]));
    expect(result).toEqual({
      queued: 0,
      rejected: [0, 1].map((index) => ({ index, id: String(index + 1), errors: [expect.objectContaining({ code: 'EVENT.TENANT_MISMATCH', field: 'tenant' })] })),
    });
    expect(published).toEqual([]);
  });

  it('given a log that does not acknowledge, then a retriable INGESTION.LOG_UNAVAILABLE (503) and no event counted', async () => {
    const { handler: queue, bus } = handler(fakeLog({ failing: true }).log);
    const failure = await queue.execute(new QueueEventsCommand('acme', [event('1')])).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LedgerError);
    expect(failure).toMatchObject({ code: 'INGESTION.LOG_UNAVAILABLE', retriable: true });
    expect(bus).toEqual([]);
  });
});
