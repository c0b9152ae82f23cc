// The decoded OTLP messages as the mapping reads them (protobufjs `toObject`: 64-bit integers as decimal strings,
// enums as numbers, bytes as Buffers, absent fields undefined). Only the fields the mapping reads are typed.

export type AnyValue = Readonly<{
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: Readonly<{ values?: readonly AnyValue[] }>;
  kvlistValue?: Readonly<{ values?: readonly KeyValue[] }>;
  bytesValue?: Uint8Array;
}>;
export type KeyValue = Readonly<{ key?: string; value?: AnyValue }>;
export type Resource = Readonly<{ attributes?: readonly KeyValue[] }>;

export type Span = Readonly<{
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  name?: string;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes?: readonly KeyValue[];
}>;
export type ExportTraceRequest = Readonly<{
  resourceSpans?: readonly Readonly<{ resource?: Resource; scopeSpans?: readonly Readonly<{ spans?: readonly Span[] }>[] }>[];
}>;

export type LogRecord = Readonly<{
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  body?: AnyValue;
  attributes?: readonly KeyValue[];
  eventName?: string;
}>;
export type ExportLogsRequest = Readonly<{
  resourceLogs?: readonly Readonly<{ resource?: Resource; scopeLogs?: readonly Readonly<{ logRecords?: readonly LogRecord[] }>[] }>[];
}>;

export type NumberDataPoint = Readonly<{
  attributes?: readonly KeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  asDouble?: number;
  asInt?: string | number;
}>;
export type HistogramDataPoint = Readonly<{
  attributes?: readonly KeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  count?: string | number;
  sum?: number;
}>;
/** OTLP's AggregationTemporality: 0 unspecified, 1 delta, 2 cumulative. */
export const TEMPORALITY = { unspecified: 0, delta: 1, cumulative: 2 } as const;

type DataPoints<Point> = Readonly<{ dataPoints?: readonly Point[]; aggregationTemporality?: number }>;
export type Metric = Readonly<{
  name?: string;
  unit?: string;
  sum?: DataPoints<NumberDataPoint> & Readonly<{ isMonotonic?: boolean }>;
  gauge?: Readonly<{ dataPoints?: readonly NumberDataPoint[] }>;
  histogram?: DataPoints<HistogramDataPoint>;
  exponentialHistogram?: DataPoints<HistogramDataPoint>;
  summary?: Readonly<{ dataPoints?: readonly unknown[] }>;
}>;
export type ExportMetricsRequest = Readonly<{
  resourceMetrics?: readonly Readonly<{ resource?: Resource; scopeMetrics?: readonly Readonly<{ metrics?: readonly Metric[] }>[] }>[];
}>;
