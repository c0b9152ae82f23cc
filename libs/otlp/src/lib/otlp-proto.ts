// The OTLP wire formats, from the official .proto files (libs/otlp/proto) loaded by protobufjs: never a hand parser.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as protobuf from 'protobufjs';
import { OtlpDecodeError } from './otlp.errors';

export type OtlpSignal = 'logs' | 'traces' | 'metrics';
/** `protobuf`: `application/x-protobuf` (the exporters' default); `json`: OTLP/JSON (`application/json`). */
export type OtlpEncoding = 'protobuf' | 'json';

export const OTLP_SIGNALS: readonly OtlpSignal[] = ['logs', 'traces', 'metrics'];

const SERVICE_FILES: Readonly<Record<OtlpSignal, string>> = {
  logs: 'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  traces: 'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  metrics: 'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
};
const STATUS_FILE = 'google/rpc/status.proto';

const SERVICES: Readonly<Record<OtlpSignal, { package: string; service: string; message: string }>> = {
  logs: { package: 'opentelemetry.proto.collector.logs.v1', service: 'LogsService', message: 'ExportLogsService' },
  traces: { package: 'opentelemetry.proto.collector.trace.v1', service: 'TraceService', message: 'ExportTraceService' },
  metrics: { package: 'opentelemetry.proto.collector.metrics.v1', service: 'MetricsService', message: 'ExportMetricsService' },
};

/** The collector service's full name (gRPC) and its request and response message names. */
export const otlpService = (signal: OtlpSignal) => {
  const { package: name, service, message } = SERVICES[signal];
  return { service: `${name}.${service}`, request: `${name}.${message}Request`, response: `${name}.${message}Response` };
};

/** The files the gRPC service is loaded from (with {@link otlpProtoDirectory} as include path). */
export const otlpServiceFile = (signal: OtlpSignal) => SERVICE_FILES[signal];

/**
 * The directory of the committed .proto files, found from this file upwards: libs/otlp/proto under jest (sources) and
 * under `npm start` (dist/libs/otlp/src/lib → the repository root).
 */
export function otlpProtoDirectory(): string {
  for (let directory = __dirname; ; directory = dirname(directory)) {
    const candidate = join(directory, 'libs', 'otlp', 'proto');
    if (existsSync(join(candidate, SERVICE_FILES.logs))) return candidate;
    const own = join(directory, 'proto');
    if (existsSync(join(own, SERVICE_FILES.logs))) return own;
    if (dirname(directory) === directory) throw new Error('the OpenTelemetry .proto files (libs/otlp/proto) were not found above ' + __dirname);
  }
}

let root: protobuf.Root | undefined;

function otlpRoot(): protobuf.Root {
  if (root) return root;
  const directory = otlpProtoDirectory();
  const loaded = new protobuf.Root();
  // google/protobuf/*.proto are protobufjs's own bundled definitions; everything else comes from the directory.
  loaded.resolvePath = (_origin, target) => join(directory, target);
  loaded.loadSync([...Object.values(SERVICE_FILES), STATUS_FILE], { keepCase: false });
  loaded.resolveAll();
  root = loaded;
  return loaded;
}

const type = (name: string) => otlpRoot().lookupType(name);

/** How decoded messages are given to the mapping: 64-bit integers as decimal strings, enums as numbers, bytes as Buffers. */
const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: Number, defaults: false, arrays: true };

// OTLP/JSON writes these bytes fields as hex, not base64 as protobuf JSON would (OTLP specification, "JSON Protobuf Encoding").
const HEX_ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Turns OTLP/JSON's hex ids into bytes, guided by the message definitions, so that `fromObject` reads the rest. */
function hexIdsToBytes(messageType: protobuf.Type, value: unknown, path: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const field of messageType.fieldsArray) {
    const fieldValue = out[field.name];
    if (fieldValue === undefined || fieldValue === null) continue;
    if (field.type === 'bytes' && HEX_ID_FIELDS.has(field.name)) {
      if (typeof fieldValue !== 'string' || !HEX.test(fieldValue)) throw new OtlpDecodeError(`${path}.${field.name} must be a hex string`);
      out[field.name] = Buffer.from(fieldValue, 'hex');
    } else if (field.resolvedType instanceof protobuf.Type) {
      const nested = field.resolvedType;
      out[field.name] = field.repeated && Array.isArray(fieldValue) ? fieldValue.map((item, i) => hexIdsToBytes(nested, item, `${path}.${field.name}[${i}]`)) : hexIdsToBytes(nested, fieldValue, `${path}.${field.name}`);
    }
  }
  return out;
}

/** Decodes an Export*ServiceRequest body (already inflated) into plain objects; throws {@link OtlpDecodeError}. */
export function decodeExportRequest(signal: OtlpSignal, body: Uint8Array, encoding: OtlpEncoding): Record<string, unknown> {
  const requestType = type(otlpService(signal).request);
  try {
    let message: protobuf.Message;
    if (encoding === 'protobuf') message = requestType.decode(body);
    else {
      const text = Buffer.from(body).toString('utf8');
      const json: unknown = text.trim() === '' ? {} : JSON.parse(text);
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new OtlpDecodeError('an OTLP/JSON request must be a JSON object');
      message = requestType.fromObject(hexIdsToBytes(requestType, json, '$') as Record<string, unknown>);
    }
    // Inside the try: a body nested deeper than the stack allows (a 10,000-deep attribute value) is undecodable, a 400.
    return requestType.toObject(message, TO_OBJECT);
  } catch (error) {
    if (error instanceof OtlpDecodeError) throw error;
    throw new OtlpDecodeError(`the body is not a valid ${otlpService(signal).request} in ${encoding === 'protobuf' ? 'protobuf' : 'OTLP/JSON'}: ${(error as Error).message}`);
  }
}

/** Encodes a message of the loaded definitions (a response, a Status) in the request's encoding. */
function encodeMessage(typeName: string, value: Record<string, unknown>, encoding: OtlpEncoding): Buffer {
  const messageType = type(typeName);
  const message = messageType.fromObject(value);
  if (encoding === 'protobuf') return Buffer.from(messageType.encode(message).finish());
  return Buffer.from(JSON.stringify(messageType.toObject(message, { longs: String, enums: Number, defaults: false })));
}

export type PartialSuccess = Readonly<{ rejected: number; message: string }>;

const REJECTED_FIELD: Readonly<Record<OtlpSignal, string>> = { logs: 'rejectedLogRecords', traces: 'rejectedSpans', metrics: 'rejectedDataPoints' };

/** The Export*ServiceResponse: `partialSuccess` only when something was rejected or there is something to say. */
export function encodeExportResponse(signal: OtlpSignal, partialSuccess: PartialSuccess | undefined, encoding: OtlpEncoding): Buffer {
  const body = partialSuccess ? { partialSuccess: { [REJECTED_FIELD[signal]]: partialSuccess.rejected, errorMessage: partialSuccess.message } } : {};
  return encodeMessage(otlpService(signal).response, body, encoding);
}

/** A `google.rpc.Status` (the body of OTLP/HTTP error answers) in the request's encoding. */
export function encodeStatus(status: Readonly<{ code: number; message: string }>, encoding: OtlpEncoding): Buffer {
  return encodeMessage('google.rpc.Status', { code: status.code, message: status.message }, encoding);
}

/** Decodes a `google.rpc.Status` (tests, clients). */
export function decodeStatus(body: Uint8Array, encoding: OtlpEncoding): { code?: number; message?: string } {
  const statusType = type('google.rpc.Status');
  if (encoding === 'json') return JSON.parse(Buffer.from(body).toString('utf8')) as { code?: number; message?: string };
  return statusType.toObject(statusType.decode(body), TO_OBJECT) as { code?: number; message?: string };
}

/** Decodes an Export*ServiceResponse (tests, clients). */
export function decodeExportResponse(signal: OtlpSignal, body: Uint8Array, encoding: OtlpEncoding): Record<string, unknown> {
  const responseType = type(otlpService(signal).response);
  if (encoding === 'json') return JSON.parse(Buffer.from(body).toString('utf8')) as Record<string, unknown>;
  return responseType.toObject(responseType.decode(body), TO_OBJECT);
}

/** Encodes an Export*ServiceRequest given as plain objects (tests: real-shaped records in protobuf). */
export function encodeExportRequest(signal: OtlpSignal, value: Record<string, unknown>): Buffer {
  const requestType = type(otlpService(signal).request);
  return Buffer.from(requestType.encode(requestType.fromObject(value)).finish());
}

/** The media type of an encoding, for the answer's Content-Type. */
export const OTLP_MEDIA_TYPE: Readonly<Record<OtlpEncoding, string>> = { protobuf: 'application/x-protobuf', json: 'application/json' };

/** The encoding a request's media type asks for: JSON for `application/json`, protobuf otherwise. */
export const encodingOf = (mediaType: string): OtlpEncoding => (mediaType === 'application/json' ? 'json' : 'protobuf');
