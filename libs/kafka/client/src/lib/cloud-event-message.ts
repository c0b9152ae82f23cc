import { isEventType, streamNameFor } from '@rework-ledger/domain';

/** A CloudEvent in its JSON form (structured mode), e.g. one line of an NDJSON file. Not validated here. */
export type CloudEventJson = Readonly<Record<string, unknown>>;

/**
 * The two content modes of the CloudEvents Kafka protocol binding. Binary: attributes in `ce_*` headers, the data as
 * the value. Structured: the whole event as JSON in the value, `content-type: application/cloudevents+json`.
 */
export type KafkaContentMode = 'binary' | 'structured';

/** A Kafka record ready for kafkajs. */
export type EncodedMessage = { key: string | null; value: Buffer; headers: Record<string, string> };

export const CE_HEADER_PREFIX = 'ce_';
export const CONTENT_TYPE_HEADER = 'content-type';
export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';
const JSON_CONTENT_TYPE = 'application/json';

/**
 * The record key of an event: the entity stream it belongs to (`output-<outputId>`, `employee-<employeeId>`,
 * `course-<courseId>`), so that every fact about one entity lands on one partition, in the order it was produced.
 * An event whose entity cannot be told (unknown type, missing id field) is keyed by its id, else not keyed.
 */
export function partitionKeyFor(event: CloudEventJson): string | null {
  const type = event['type'];
  const data = event['data'];
  if (typeof type === 'string' && isEventType(type) && typeof data === 'object' && data !== null) {
    const stream = streamNameFor(type, data as Record<string, unknown>);
    const entityId = (data as Record<string, unknown>)[ENTITY_FIELD_BY_STREAM_PREFIX[stream.slice(0, stream.indexOf('-'))]];
    if (typeof entityId === 'string' && entityId.length > 0) return stream;
  }
  return typeof event['id'] === 'string' && event['id'].length > 0 ? event['id'] : null;
}

// The data field that names the entity of each kind of stream (see streamNames in the domain).
const ENTITY_FIELD_BY_STREAM_PREFIX: Record<string, string> = { output: 'outputId', employee: 'employeeId', course: 'courseId' };

export type EncodeOptions = Readonly<{
  mode: KafkaContentMode;
  /** Sets the `tenant` extension of events that do not name one. */
  tenant?: string;
}>;

/** Encodes a CloudEvent as a Kafka record in binary or structured mode, keyed by {@link partitionKeyFor}. */
export function encodeCloudEvent(event: CloudEventJson, options: EncodeOptions): EncodedMessage {
  const withTenant = options.tenant !== undefined && event['tenant'] === undefined ? { ...event, tenant: options.tenant } : event;
  const key = partitionKeyFor(withTenant);
  if (options.mode === 'structured') {
    return { key, value: Buffer.from(JSON.stringify(withTenant)), headers: { [CONTENT_TYPE_HEADER]: STRUCTURED_CONTENT_TYPE } };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(withTenant)) {
    if (name === 'data' || name === 'data_base64' || name === 'datacontenttype' || value === undefined || value === null) continue;
    headers[`${CE_HEADER_PREFIX}${name}`] = typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  const data = withTenant['data'];
  const base64 = withTenant['data_base64'];
  const declared = typeof withTenant['datacontenttype'] === 'string' ? (withTenant['datacontenttype'] as string) : undefined;
  if (typeof base64 === 'string') {
    headers[CONTENT_TYPE_HEADER] = declared ?? 'application/octet-stream';
    return { key, value: Buffer.from(base64, 'base64'), headers };
  }
  const contentType = declared ?? JSON_CONTENT_TYPE;
  headers[CONTENT_TYPE_HEADER] = contentType;
  const isJson = /[/+]json(;|$)/i.test(contentType.split(';')[0].trim()) || contentType.startsWith(JSON_CONTENT_TYPE);
  const value = data === undefined ? Buffer.alloc(0) : typeof data === 'string' && !isJson ? Buffer.from(data) : Buffer.from(JSON.stringify(data));
  return { key, value, headers };
}
