import { createKafkaClient, ensureTopics } from '@rework-ledger/kafka-client';
import { kafkaTestBroker, uniqueTopics } from '@rework-ledger/kafka-testing';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { httpTarget, kafkaTarget, sendNdjson } from './events-send.command';

const broker = kafkaTestBroker('cli events send (apps/cli)');
jest.setTimeout(60_000);

const event = (index: number) => ({
  specversion: '1.0',
  id: `cli-${index}`,
  source: 'urn:cli-test',
  type: 'ai.output.generated',
  time: '2026-03-02T10:00:00Z',
  data: { outputId: `o-${index}`, employeeId: 'alice', tool: 'copilot', taskType: 'coding' },
});
/** NDJSON with `count` events, a malformed line after the first and a blank line after the second. */
const ndjson = (count: number) => {
  const lines = Array.from({ length: count }, (_, index) => JSON.stringify(event(index)));
  lines.splice(1, 0, '{"specversion": "1.0",');
  lines.splice(3, 0, '');
  return `${lines.join('\n')}\n`;
};

describe('events send over HTTP', () => {
  let server: Server;
  let url: string;
  const requests: { headers: IncomingMessage['headers']; events: { id: string }[] }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const events = JSON.parse(body) as { id: string }[];
        requests.push({ headers: request.headers, events });
        // The fake API rejects every event whose id ends in 7 and takes the rest as new.
        const rejected = events.flatMap((e, index) => (e.id.endsWith('7') ? [{ index, id: e.id, errors: [{ code: 'EVENT.UNKNOWN_TYPE', message: 'no', field: 'type' }] }] : []));
        response.writeHead(202, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ accepted: events.length - rejected.length, duplicates: 0, rejected }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('given 2500 events and a malformed line, then it posts batches of at most 1000 with the API key, and maps each rejection to its line', async () => {
    const progress: number[] = [];
    const summary = await sendNdjson({
      input: Readable.from([ndjson(2500)]),
      target: httpTarget({ url, apiKey: 'rl_test_key' }),
      onProgress: (_bytes, sent) => progress.push(sent),
    });
    expect(requests.map((request) => request.events.length)).toEqual([1000, 1000, 500]);
    expect(requests[0].headers['content-type']).toBe('application/cloudevents-batch+json');
    expect(requests[0].headers['authorization']).toBe('Bearer rl_test_key');
    expect(progress).toEqual([1000, 2000, 2500]);
    expect(summary).toMatchObject({ lines: 2502, sent: 2500, accepted: 2250, duplicates: 0, invalidLines: [{ line: 2, message: expect.stringContaining('not valid JSON') }] });
    // cli-7 is the 8th event: line 8 plus the malformed and the blank line before it.
    expect(summary.rejected?.[0]).toMatchObject({ line: 10, id: 'cli-7', errors: [{ code: 'EVENT.UNKNOWN_TYPE' }] });
    expect(summary.rejected).toHaveLength(250);
  });
});

(broker ? describe : describe.skip)('events send to Kafka (real broker)', () => {
  const brokers = broker?.brokers ?? [];
  const topics = uniqueTopics('cli');
  const kafka = createKafkaClient({ brokers, clientId: 'rl-test-cli', ssl: false }, { logLevel: 'error', logger: { error: () => undefined, warn: () => undefined, log: () => undefined } });
  let folder: string;

  beforeAll(async () => {
    await ensureTopics(kafka, [{ topic: topics.telemetryTopic, partitions: 3 }]);
    folder = mkdtempSync(join(tmpdir(), 'rl-cli-'));
  });

  afterAll(async () => {
    rmSync(folder, { recursive: true, force: true });
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topics.telemetryTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it.each(['binary', 'structured'] as const)('given an NDJSON file, then every event is produced in %s mode, keyed by its entity stream, with the tenant', async (mode) => {
    const file = join(folder, `${mode}.ndjson`);
    writeFileSync(file, ndjson(1500));
    const target = kafkaTarget({ connection: { brokers, clientId: 'rl-test-cli', ssl: false }, topic: topics.telemetryTopic, mode, tenant: 'acme' });
    const summary = await sendNdjson({ input: createReadStream(file), target, batchSize: 400 });
    await target.close();
    expect(summary).toMatchObject({ sent: 1500, invalidLines: [{ line: 2 }] });

    const seen: { key: string; headers: Record<string, string>; value: string }[] = [];
    const consumer = kafka.consumer({ groupId: `rl-test-cli-${mode}-${topics.telemetryTopic}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.telemetryTopic], fromBeginning: true });
    const wanted = mode === 'binary' ? 1500 : 3000;
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
          seen.push({ key: String(message.key), headers, value: String(message.value) });
          if (seen.length === wanted) resolve();
        },
      });
    });
    await consumer.disconnect();
    const ours = seen.filter((record) => (mode === 'binary' ? record.headers['content-type'] === 'application/json' : record.headers['content-type']?.startsWith('application/cloudevents+json')));
    expect(ours).toHaveLength(1500);
    const sample = ours.find((record) => record.key === 'output-o-42');
    if (mode === 'binary') {
      expect(sample?.headers).toMatchObject({ ce_id: 'cli-42', ce_specversion: '1.0', ce_type: 'ai.output.generated', ce_tenant: 'acme', ce_time: '2026-03-02T10:00:00Z' });
      expect(JSON.parse(sample?.value ?? '{}')).toEqual(event(42).data);
    } else {
      expect(JSON.parse(sample?.value ?? '{}')).toEqual({ ...event(42), tenant: 'acme' });
    }
  });
});
