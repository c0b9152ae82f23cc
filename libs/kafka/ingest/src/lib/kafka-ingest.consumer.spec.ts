import type { EventStore } from '@rework-ledger/event-store';
import type { Kafka } from 'kafkajs';
import { createKafkaIngestor, type KafkaIngestor } from './kafka-ingest.consumer';

// Unit test of the consumer's life cycle only, with a stand-in for kafkajs: a consumer that kafkajs gives up on after a
// crash (restart: false, e.g. KafkaJSGroupCoordinatorNotFound while the broker restarts) must be replaced. The whole
// path against a real broker is in kafka-broker-restart.reliability.int-spec.ts.

type CrashPayload = { restart: boolean; error: Error; groupId: string };

/** `failingConnects`: the consumers (0: the first) whose connect() rejects, as while the broker is still down. */
function fakeKafka(failingConnects: readonly number[] = []) {
  const consumers: Array<{ run: jest.Mock; disconnect: jest.Mock; crash(payload: CrashPayload): void }> = [];
  const client = () => ({ connect: jest.fn(async () => undefined), disconnect: jest.fn(async () => undefined) });
  const kafka = {
    producer: client,
    admin: client,
    consumer: () => {
      const index = consumers.length;
      const listeners = new Map<string, (event: { payload: unknown }) => void>();
      const consumer = {
        events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' },
        on: (name: string, listener: (event: { payload: unknown }) => void) => listeners.set(name, listener),
        connect: jest.fn(async () => {
          if (failingConnects.includes(index)) throw new Error('Connection error: connect ECONNREFUSED');
        }),
        subscribe: jest.fn(async () => undefined),
        run: jest.fn(async () => undefined),
        disconnect: jest.fn(async () => undefined),
        crash: (payload: CrashPayload) => listeners.get('consumer.crash')?.({ payload }),
      };
      consumers.push(consumer);
      return consumer;
    },
  };
  return { kafka: kafka as unknown as Kafka, consumers };
}

describe('createKafkaIngestor: a crashed consumer', () => {
  let ingestor: KafkaIngestor;
  // Fake timers: the replacement waits for its backoff; the tests move the clock instead of waiting.
  beforeEach(() => jest.useFakeTimers());
  afterEach(async () => {
    await ingestor?.stop();
    jest.useRealTimers();
  });

  const start = async (failingConnects: readonly number[] = []) => {
    const fake = fakeKafka(failingConnects);
    ingestor = createKafkaIngestor({
      kafka: fake.kafka,
      store: {} as EventStore,
      telemetryTopic: 'telemetry',
      deadLetterTopic: 'telemetry.dlq',
      groupId: 'group',
      maxMessageBytes: 1024,
      retryBackoff: { initialMs: 1, maxMs: 4 },
    });
    await ingestor.start();
    return fake.consumers;
  };
  const coordinatorNotFound: CrashPayload = { restart: false, error: new Error('Failed to find group coordinator'), groupId: 'group' };

  it('given a crash kafkajs does not restart from, then a new consumer joins and runs', async () => {
    const consumers = await start();
    consumers[0].crash(coordinatorNotFound);
    await jest.advanceTimersByTimeAsync(100);
    expect(consumers).toHaveLength(2);
    expect(consumers[0].disconnect).toHaveBeenCalled();
    expect(consumers[1].run).toHaveBeenCalledTimes(1);
  });

  it('given a replacement that cannot connect yet, then it is tried again until one runs', async () => {
    const consumers = await start([1, 2]);
    consumers[0].crash(coordinatorNotFound);
    await jest.advanceTimersByTimeAsync(100);
    expect(consumers).toHaveLength(4);
    expect(consumers.map((consumer) => consumer.run.mock.calls.length)).toEqual([1, 0, 0, 1]);
  });

  it('given a crash kafkajs restarts from itself, then no second consumer is made', async () => {
    const consumers = await start();
    consumers[0].crash({ ...coordinatorNotFound, restart: true });
    await jest.advanceTimersByTimeAsync(100);
    expect(consumers).toHaveLength(1);
  });

  it('given the ingestor stopped right after a crash, then no consumer is made again', async () => {
    const consumers = await start();
    consumers[0].crash(coordinatorNotFound);
    await ingestor.stop();
    await jest.advanceTimersByTimeAsync(100);
    expect(consumers).toHaveLength(1);
  });
});
