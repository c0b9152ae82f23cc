import { type CloudEventJson, createHttpTelemetrySender, createKafkaClient, createTelemetryProducer, type KafkaConnection, type KafkaContentMode } from '@rework-ledger/kafka-client';
import { type AppConfig, CONFIG_DEFAULTS, loadConfig } from '@rework-ledger/platform';
import { SingleBar } from 'cli-progress';
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { type CliCommand, UsageError } from '../command';

/** Where `events send` delivers: a Kafka topic, or the API. */
export type SendTarget =
  | Readonly<{ kind: 'kafka'; send(events: readonly CloudEventJson[]): Promise<void>; close(): Promise<void>; describe: string }>
  | Readonly<{ kind: 'http'; send(events: readonly CloudEventJson[], firstIndex: number): Promise<HttpTotals>; close(): Promise<void>; describe: string }>;

type HttpTotals = { accepted: number; queued: number; duplicates: number; rejected: { index: number; id?: string; errors: { code: string; message: string; field?: string }[] }[] };

/** What `events send` did. `line` numbers count from 1 in the input. */
export type SendSummary = {
  target: string;
  lines: number;
  sent: number;
  /** Lines that are not a JSON object: not sent. */
  invalidLines: { line: number; message: string }[];
  /** HTTP only: what the API answered. */
  accepted?: number;
  queued?: number;
  duplicates?: number;
  rejected?: { line: number; id?: string; errors: { code: string; message: string; field?: string }[] }[];
};

export type SendOptions = Readonly<{
  input: Readable;
  target: SendTarget;
  /** Events per send (default 1000). */
  batchSize?: number;
  /** Told of the bytes read so far and the events sent so far, after each batch. */
  onProgress?: (bytesRead: number, sent: number) => void;
}>;

/**
 * Reads CloudEvents from NDJSON (one JSON object per line; blank lines skipped) and sends them in order, a batch at a
 * time, each batch acknowledged (by the broker, or answered by the API) before the next is read.
 */
export async function sendNdjson(options: SendOptions): Promise<SendSummary> {
  const batchSize = options.batchSize ?? 1000;
  const summary: SendSummary = { target: options.target.describe, lines: 0, sent: 0, invalidLines: [] };
  let bytesRead = 0;
  let batch: CloudEventJson[] = [];
  let batchLines: number[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    if (options.target.kind === 'kafka') {
      await options.target.send(batch);
    } else {
      const answer = await options.target.send(batch, 0);
      summary.accepted = (summary.accepted ?? 0) + answer.accepted;
      summary.queued = (summary.queued ?? 0) + answer.queued;
      summary.duplicates = (summary.duplicates ?? 0) + answer.duplicates;
      summary.rejected = [
        ...(summary.rejected ?? []),
        ...answer.rejected.map(({ index, ...rest }) => ({ line: batchLines[index], ...rest })),
      ];
    }
    summary.sent += batch.length;
    batch = [];
    batchLines = [];
    options.onProgress?.(bytesRead, summary.sent);
  };

  const lines = createInterface({ input: options.input, crlfDelay: Infinity });
  for await (const line of lines) {
    summary.lines += 1;
    bytesRead += Buffer.byteLength(line) + 1;
    if (line.trim().length === 0) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      summary.invalidLines.push({ line: summary.lines, message: `not valid JSON: ${(error as Error).message}` });
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      summary.invalidLines.push({ line: summary.lines, message: 'not a JSON object (one CloudEvent per line)' });
      continue;
    }
    batch.push(parsed as CloudEventJson);
    batchLines.push(summary.lines);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return summary;
}

const text = (value: string | boolean | undefined) => (typeof value === 'string' && value.trim().length > 0 ? value.trim() : undefined);

/** `events send`: CloudEvents from an NDJSON file (or stdin) to the Kafka telemetry topic or to POST /v1/events. */
export const eventsSendCommand: CliCommand = {
  name: ['events', 'send'],
  summary: 'send CloudEvents from an NDJSON file (or stdin) to Kafka (binary or structured mode) or to the HTTP API',
  usage:
    'events send [--file <events.ndjson>] [--to kafka|http] [--brokers host:port,...] [--topic <name>] [--tenant <tenant>] [--mode binary|structured] [--url <api>] [--api-key <key>] [--batch <n>] [--no-progress]',
  options: {
    file: { type: 'string', description: 'NDJSON file, one CloudEvent per line (default: stdin)' },
    to: { type: 'string', description: 'kafka (default when KAFKA_BROKERS is set) or http' },
    brokers: { type: 'string', description: 'Kafka brokers (default KAFKA_BROKERS)' },
    topic: { type: 'string', description: 'topic (default KAFKA_TELEMETRY_TOPIC)' },
    tenant: { type: 'string', description: 'ce_tenant of events that name no tenant (default KAFKA_TENANT)' },
    mode: { type: 'string', description: 'Kafka content mode: binary (default) or structured' },
    url: { type: 'string', description: 'API base URL for --to http (default http://HOST:PORT)' },
    'api-key': { type: 'string', description: 'API key with the ingest scope for --to http (default API_BOOTSTRAP_KEY)' },
    batch: { type: 'string', description: 'events per request (default 1000)' },
    'no-progress': { type: 'boolean', description: 'no progress bar' },
  },
  async run(options) {
    const config = loadConfig();
    const to = text(options['to']) ?? (config.kafka || text(options['brokers']) ? 'kafka' : 'http');
    if (to !== 'kafka' && to !== 'http') throw new UsageError(`--to takes kafka or http (got ${to})`);
    const mode = text(options['mode']) ?? 'binary';
    if (mode !== 'binary' && mode !== 'structured') throw new UsageError(`--mode takes binary or structured (got ${mode})`);
    const batchSize = Number(text(options['batch']) ?? 1000);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError('--batch takes a whole number ≥ 1');
    const file = text(options['file']);

    const target = to === 'kafka' ? kafkaTargetFromOptions(config, options, mode) : httpTargetFromOptions(config, options);
    const input: Readable = file && file !== '-' ? createReadStream(file) : process.stdin;
    const total = file && file !== '-' ? statSync(file).size : undefined;
    const bar = total !== undefined && !options['no-progress'] ? new SingleBar({ format: 'sending [{bar}] {percentage}% | {sent} events | {eta_formatted} left', etaBuffer: 20 }) : undefined;
    bar?.start(total as number, 0, { sent: 0 });
    let summary: SendSummary;
    try {
      summary = await sendNdjson({ input, target, batchSize, onProgress: (bytes, sent) => bar?.update(Math.min(bytes, total ?? bytes), { sent }) });
      bar?.update(total ?? 0);
    } finally {
      bar?.stop();
      await target.close();
    }
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    const problems = summary.invalidLines.length + (summary.rejected?.length ?? 0);
    process.stderr.write(`${summary.sent} events sent to ${summary.target}\n`);
    // Exit code 1: a line was not sent, or the API rejected an event (the summary above names each).
    if (problems > 0) throw new Error(`${problems} of ${summary.lines} lines not accepted (invalid JSON or rejected events; see the summary)`);
  },
};

function kafkaTargetFromOptions(config: AppConfig, options: Readonly<Record<string, string | boolean | undefined>>, mode: KafkaContentMode): SendTarget {
  const brokers = text(options['brokers'])?.split(',').map((broker) => broker.trim()) ?? config.kafka?.brokers;
  if (!brokers || brokers.length === 0) throw new UsageError('--to kafka needs --brokers or KAFKA_BROKERS');
  const tenant = text(options['tenant']) ?? config.kafka?.tenant;
  return kafkaTarget({
    connection: { brokers, clientId: `${config.kafka?.clientId ?? 'rework-ledger'}-cli`, ssl: config.kafka?.ssl ?? false, ...(config.kafka?.sasl ? { sasl: config.kafka.sasl } : {}) },
    topic: text(options['topic']) ?? config.kafka?.telemetryTopic ?? CONFIG_DEFAULTS.KAFKA_TELEMETRY_TOPIC,
    mode,
    ...(tenant ? { tenant } : {}),
  });
}

function httpTargetFromOptions(config: AppConfig, options: Readonly<Record<string, string | boolean | undefined>>): SendTarget {
  const url = text(options['url']) ?? `http://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${config.http.port}`;
  const apiKey = text(options['api-key']) ?? config.bootstrap.apiKey;
  if (!apiKey) throw new UsageError('--to http needs --api-key (or API_BOOTSTRAP_KEY)');
  return httpTarget({ url, apiKey });
}

/** A Kafka target: the telemetry producer of libs/kafka/client (idempotent, acks=all, keyed per entity). */
export function kafkaTarget(settings: Readonly<{ connection: KafkaConnection; topic: string; mode: KafkaContentMode; tenant?: string }>): SendTarget {
  const kafka = createKafkaClient(settings.connection, {
    logger: { error: (message) => process.stderr.write(`kafka: ${message}\n`), warn: () => undefined, log: () => undefined },
  });
  const producer = createTelemetryProducer({ kafka, topic: settings.topic, mode: settings.mode, retries: 10, ...(settings.tenant ? { tenant: settings.tenant } : {}) });
  let connected: Promise<void> | undefined;
  return {
    kind: 'kafka',
    describe: `Kafka topic ${settings.topic} (${settings.mode} mode)`,
    async send(events) {
      connected ??= producer.connect();
      await connected;
      await producer.send(events);
    },
    close: async () => {
      if (connected) await producer.disconnect();
    },
  };
}

/** An HTTP target: POST /v1/events in batches, retried on network errors, 429 and 5xx. */
export function httpTarget(settings: Readonly<{ url: string; apiKey: string }>): SendTarget {
  const sender = createHttpTelemetrySender({ baseUrl: settings.url, apiKey: settings.apiKey });
  return { kind: 'http', describe: `${settings.url.replace(/\/+$/, '')}/v1/events`, send: (events, firstIndex) => sender.send(events, firstIndex), close: async () => undefined };
}
