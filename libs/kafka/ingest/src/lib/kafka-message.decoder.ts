import type { ErrorShape } from '@rework-ledger/domain';
import { CONSTANTS, Kafka, type KafkaMessage } from 'cloudevents';
import type { IHeaders } from 'kafkajs';

/** The parts of a consumed Kafka record the decoder reads. */
export type KafkaRecord = Readonly<{ key: Buffer | null; value: Buffer | null; headers?: IHeaders }>;

/** A record read as a CloudEvent (its attributes as sent, for the validator to judge), or why it could not be read. */
export type DecodedRecord = { ok: true; event: Record<string, unknown> } | { ok: false; error: ErrorShape };

// Attributes the contract requires: the SDK invents an id and a time when they are missing and rewrites the time
// into its own format, so the validator is shown these exactly as the producer sent them (or absent).
const REQUIRED_ATTRIBUTES = ['specversion', 'id', 'source', 'type', 'time'] as const;
const CE_PREFIX = 'ce_';
const CONTENT_TYPE = CONSTANTS.HEADER_CONTENT_TYPE;

/** The size the application's limit applies to: key, value and headers. */
export function recordSize(record: KafkaRecord): number {
  let size = (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    size += Buffer.byteLength(name);
    for (const item of Array.isArray(value) ? value : [value]) size += item === undefined ? 0 : Buffer.byteLength(item);
  }
  return size;
}

/** Header names lower-cased, values as UTF-8 text; a repeated header keeps its last value. */
export function headersAsText(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) text[name.toLowerCase()] = Buffer.isBuffer(last) ? last.toString('utf8') : String(last);
  }
  return text;
}

/**
 * Reads a record of the telemetry topic with the CloudEvents SDK's Kafka binding: binary mode (`ce_*` headers, the
 * data as the value) or structured mode (`content-type: application/cloudevents+json`). Records larger than
 * `maxBytes`, records that are no CloudEvent and bodies that are not JSON are refused here with a code; the
 * attributes of the rest are left for the contract's validator.
 */
export function decodeKafkaRecord(record: KafkaRecord, maxBytes: number): DecodedRecord {
  const size = recordSize(record);
  if (size > maxBytes) {
    return refuse('MESSAGE.TOO_LARGE', `the message has ${size} bytes; the limit is ${maxBytes} (KAFKA_MAX_MESSAGE_BYTES)`);
  }
  const headers = headersAsText(record.headers);
  const contentType = (headers[CONTENT_TYPE] ?? '').split(';')[0].trim().toLowerCase();
  if (contentType.startsWith(CONSTANTS.MIME_CE_BATCH)) {
    return refuse('MESSAGE.UNSUPPORTED_MODE', 'batched mode is not part of the CloudEvents Kafka binding: send one event per message');
  }
  if (contentType.startsWith(CONSTANTS.MIME_CE)) return decodeStructured(record, headers, contentType);
  if (Object.keys(headers).some((name) => name.startsWith(CE_PREFIX))) return decodeBinary(record, headers);
  return refuse(
    'MESSAGE.NOT_A_CLOUDEVENT',
    'the message is neither a binary-mode CloudEvent (ce_* headers) nor a structured one (content-type application/cloudevents+json)',
  );
}

function decodeStructured(record: KafkaRecord, headers: Record<string, string>, contentType: string): DecodedRecord {
  if (contentType !== CONSTANTS.MIME_CE_JSON) {
    return refuse('MESSAGE.UNSUPPORTED_FORMAT', `structured mode supports application/cloudevents+json only, not ${contentType}`, 'content-type');
  }
  const text = record.value?.toString('utf8') ?? '';
  let sent: unknown;
  try {
    sent = JSON.parse(text);
  } catch (error) {
    return refuse('MESSAGE.MALFORMED_JSON', `the message value is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof sent !== 'object' || sent === null || Array.isArray(sent)) return refuse('EVENT.NOT_AN_OBJECT', 'an event must be a JSON object');
  const attributes = sent as Record<string, unknown>;
  let decoded: Record<string, unknown>;
  try {
    decoded = { ...(Kafka.toEvent({ key: record.key ?? '', value: text, headers } as KafkaMessage) as object) };
  } catch {
    // The SDK cannot read a missing or unparseable time; the validator reports it precisely from what was sent.
    decoded = { ...attributes };
  }
  return { ok: true, event: restoreRequired(decoded, (name) => attributes[name]) };
}

function decodeBinary(record: KafkaRecord, headers: Record<string, string>): DecodedRecord {
  const sdkHeaders: Record<string, string> = { ...headers };
  // The SDK recognises binary mode by ce_id and parses ce_time itself: give it what it needs, restore what was sent.
  sdkHeaders['ce_id'] ??= 'missing';
  delete sdkHeaders['ce_time'];
  sdkHeaders[CONTENT_TYPE] ??= 'application/json';
  const value = record.value ?? Buffer.alloc(0);
  let decoded: Record<string, unknown>;
  try {
    decoded = { ...(Kafka.toEvent({ key: record.key ?? '', value: value.length === 0 ? '{}' : value, headers: sdkHeaders } as KafkaMessage) as object) };
  } catch (error) {
    if (error instanceof SyntaxError) return refuse('MESSAGE.MALFORMED_JSON', `the message value is not valid JSON: ${error.message}`);
    return refuse('MESSAGE.MALFORMED_EVENT', `the binary-mode event cannot be read: ${(error as Error).message}`);
  }
  if (value.length === 0) delete decoded['data'];
  return { ok: true, event: restoreRequired(decoded, (name) => headers[`${CE_PREFIX}${name}`]) };
}

function restoreRequired(decoded: Record<string, unknown>, sent: (name: string) => unknown): Record<string, unknown> {
  const event = { ...decoded };
  delete event['partitionkey'];
  for (const name of REQUIRED_ATTRIBUTES) {
    const value = sent(name);
    if (value === undefined) delete event[name];
    else event[name] = value;
  }
  return event;
}

function refuse(code: string, message: string, field?: string): DecodedRecord {
  return { ok: false, error: field === undefined ? { code, message } : { code, message, field } };
}
