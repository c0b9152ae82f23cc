import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@rework-ledger/platform';

/** The broker a Kafka test suite runs against. */
export type KafkaTestBroker = Readonly<{ brokers: string[] }>;

const DEFAULT_BROKER = '127.0.0.1:9092';

/** True in CI (`CI=true`), where a missing broker or kcat fails the run instead of skipping. */
export function inCi(): boolean {
  return ['true', '1'].includes(String(process.env['CI'] ?? '').toLowerCase());
}

/**
 * The broker of KAFKA_BROKERS (else 127.0.0.1:9092) if it accepts connections. When it does not: in CI this throws,
 * so the suite fails; elsewhere it warns loudly and answers undefined, and the suite should skip.
 */
export function kafkaTestBroker(suite: string): KafkaTestBroker | undefined {
  const brokers = [...(loadConfig().kafka?.brokers ?? [DEFAULT_BROKER])];
  if (reachable(brokers[0])) return { brokers };
  const message = `no Kafka broker answers at ${brokers.join(',')} (start one with \`npm run kafka:start\`, or set KAFKA_BROKERS)`;
  if (inCi()) throw new Error(`${suite}: ${message}; CI=true, so the Kafka tests fail instead of skipping`);
  console.warn(`\n${'!'.repeat(100)}\n!! SKIPPED: ${suite}\n!! ${message}\n${'!'.repeat(100)}\n`);
  return undefined;
}

/** Same rule for kcat, the independent client some suites produce with: fails in CI, warns and skips elsewhere. */
export function kcatAvailable(suite: string): boolean {
  const found = spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0;
  if (found) return true;
  const message = 'kcat is not installed (infra/kafka/install-kcat.sh installs it)';
  if (inCi()) throw new Error(`${suite}: ${message}; CI=true, so the test fails instead of skipping`);
  console.warn(`\n${'!'.repeat(100)}\n!! SKIPPED: ${suite}\n!! ${message}\n${'!'.repeat(100)}\n`);
  return false;
}

// A synchronous TCP probe in a child process: jest decides to skip a suite while collecting it, before any await.
function reachable(broker: string): boolean {
  const separator = broker.lastIndexOf(':');
  const host = broker.slice(0, separator).replace(/^\[|\]$/g, '');
  const port = Number(broker.slice(separator + 1));
  const probe = `const s=require('net').connect(${port},${JSON.stringify(host)},()=>{s.end();process.exit(0)});s.on('error',()=>process.exit(1));setTimeout(()=>process.exit(1),3000)`;
  return spawnSync(process.execPath, ['-e', probe], { stdio: 'ignore', timeout: 5000 }).status === 0;
}

/** Topic names of one test file's run, never shared with another run: `rl-test.<name>.<random>.telemetry|dlq`. */
export function uniqueTopics(name: string): Readonly<{ telemetryTopic: string; deadLetterTopic: string }> {
  const base = `rl-test.${name.replace(/[^A-Za-z0-9_-]/g, '-')}.${randomBytes(4).toString('hex')}`;
  return { telemetryTopic: `${base}.telemetry`, deadLetterTopic: `${base}.dlq` };
}

/** One record as kcat prints it with -J. */
export type KcatRecord = Readonly<{ partition: number; offset: number; key: string | null; payload: string | null; headers: Record<string, string> }>;

/**
 * Produces with kcat, an independent client (librdkafka): each line of `lines` is one record's value, or
 * `key<TAB>value` with `keyed`; `key` and `headers` apply to every record of the call. Synchronous; throws with
 * kcat's stderr when it fails.
 */
export function kcatProduce(
  broker: KafkaTestBroker,
  topic: string,
  records: Readonly<{ lines: readonly string[]; key?: string; keyed?: boolean; headers?: Readonly<Record<string, string>> }>,
): void {
  const args = ['-P', '-b', broker.brokers.join(','), '-t', topic, '-X', 'partitioner=murmur2_random', '-X', 'enable.idempotence=true'];
  if (records.key !== undefined) args.push('-k', records.key);
  if (records.keyed) args.push('-K', '\t');
  for (const [name, value] of Object.entries(records.headers ?? {})) args.push('-H', `${name}=${value}`);
  execFileSync('kcat', args, { input: `${records.lines.join('\n')}\n`, timeout: 30_000, stdio: ['pipe', 'ignore', 'pipe'] });
}

/** Reads a whole topic with kcat (from the beginning to its current end). */
export function kcatConsume(broker: KafkaTestBroker, topic: string): KcatRecord[] {
  const output = execFileSync('kcat', ['-C', '-b', broker.brokers.join(','), '-t', topic, '-o', 'beginning', '-e', '-q', '-J'], {
    timeout: 30_000,
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  return output
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const record = JSON.parse(line) as { partition: number; offset: number; key: string | null; payload: string | null; headers?: string[] };
      const headers: Record<string, string> = {};
      for (let index = 0; index + 1 < (record.headers ?? []).length; index += 2) headers[(record.headers as string[])[index]] = (record.headers as string[])[index + 1];
      return { partition: record.partition, offset: record.offset, key: record.key, payload: record.payload, headers };
    });
}
