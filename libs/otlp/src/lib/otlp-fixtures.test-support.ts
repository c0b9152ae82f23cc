// Real-shaped OTLP requests for the tests: written as OTLP/JSON-like objects, encoded in protobuf with the official
// definitions and decoded back, so that the mapping sees exactly what the receiver gives it.
import { decodeExportRequest, encodeExportRequest, type OtlpSignal } from './otlp-proto';

export type Attrs = Record<string, string | number | boolean>;

/** Attributes as OTLP KeyValues: integers as intValue, other numbers as doubleValue. */
export const kv = (attributes: Attrs) =>
  Object.entries(attributes).map(([key, value]) => ({
    key,
    value: typeof value === 'string' ? { stringValue: value } : typeof value === 'boolean' ? { boolValue: value } : Number.isInteger(value) ? { intValue: value } : { doubleValue: value },
  }));

/** Unix nanoseconds (a decimal string) of an RFC 3339 time. */
export const nanos = (iso: string) => `${BigInt(Date.parse(iso)) * 1_000_000n}`;

const roundTrip = (signal: OtlpSignal, request: Record<string, unknown>) => decodeExportRequest(signal, encodeExportRequest(signal, request), 'protobuf');

export const TRACE_ID = '5b8efff798038103d269b633813fc60c';

export function spansRequest(resource: Attrs, spans: readonly { attributes: Attrs; spanId?: string; end?: string }[]) {
  return roundTrip('traces', {
    resourceSpans: [
      {
        resource: { attributes: kv(resource) },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: spans.map((span, i) => ({
              traceId: Buffer.from(TRACE_ID, 'hex'),
              spanId: Buffer.from(span.spanId ?? `eee19b7ec3c1b17${i}`, 'hex'),
              name: 'chat gpt-4o',
              kind: 3,
              startTimeUnixNano: nanos('2026-03-02T10:00:00Z'),
              endTimeUnixNano: nanos(span.end ?? '2026-03-02T10:00:02.500Z'),
              attributes: kv(span.attributes),
            })),
          },
        ],
      },
    ],
  });
}

export function logsRequest(resource: Attrs, records: readonly { attributes: Attrs; eventName?: string; time?: string; body?: string }[]) {
  return roundTrip('logs', {
    resourceLogs: [
      {
        resource: { attributes: kv(resource) },
        scopeLogs: [
          {
            scope: { name: 'com.anthropic.claude_code.events' },
            logRecords: records.map((record) => ({
              ...(record.time !== '' ? { timeUnixNano: nanos(record.time ?? '2026-03-02T11:00:00Z') } : {}),
              ...(record.eventName ? { eventName: record.eventName } : {}),
              body: { stringValue: record.body ?? 'event' },
              attributes: kv(record.attributes),
            })),
          },
        ],
      },
    ],
  });
}

export type Point = { attributes: Attrs; value: number; start?: string; time: string };

export function metricsRequest(resource: Attrs, metrics: readonly { name: string; kind?: 'sum' | 'gauge' | 'histogram'; temporality?: 1 | 2; unit?: string; points: readonly Point[] }[]) {
  return roundTrip('metrics', {
    resourceMetrics: [
      {
        resource: { attributes: kv(resource) },
        scopeMetrics: [
          {
            scope: { name: 'com.anthropic.claude_code' },
            metrics: metrics.map(({ name, kind = 'sum', temporality = 2, unit, points }) => {
              const dataPoints = points.map((point) => ({
                attributes: kv(point.attributes),
                startTimeUnixNano: nanos(point.start ?? '2026-03-02T09:00:00Z'),
                timeUnixNano: nanos(point.time),
                ...(kind === 'histogram' ? { count: 1, sum: point.value } : Number.isInteger(point.value) && name.includes('token') ? { asInt: point.value } : { asDouble: point.value }),
              }));
              const body = kind === 'gauge' ? { gauge: { dataPoints } } : kind === 'histogram' ? { histogram: { dataPoints, aggregationTemporality: temporality } } : { sum: { dataPoints, aggregationTemporality: temporality, isMonotonic: true } };
              return { name, unit, ...body };
            }),
          },
        ],
      },
    ],
  });
}
