import { type Attributes, attributesOf, isoTimeOf, personOf, sortedPairs, text } from './otlp-attributes';
import type { UsageRecordedData } from '@rework-ledger/domain';
import { derivedId, usageRecorded } from './otlp-events';
import { DEFAULT_OTLP_MAPPING_OPTIONS, mappingBuilder, type MappingBuilder, type OtlpMapping, type OtlpMappingOptions } from './otlp-mapping';
import { type ExportMetricsRequest, type HistogramDataPoint, type Metric, type NumberDataPoint, TEMPORALITY } from './otlp-records';
import { toolOf } from './map-traces';

type UsageValue = Pick<UsageRecordedData, 'cost' | 'currency' | 'inputTokens' | 'outputTokens'>;

/** What a metric's data point measures, from its attributes: a usage field, or why it is not counted. */
type Measure = (value: number, point: Attributes) => UsageValue | 'metric.token-type-not-mapped';

const tokens = (type: string | undefined, value: number): UsageValue | 'metric.token-type-not-mapped' => {
  const count = Math.round(value);
  if (type === 'input' || type === 'prompt') return { inputTokens: count };
  if (type === 'output' || type === 'completion') return { outputTokens: count };
  return 'metric.token-type-not-mapped';
};

/** The metrics that become `ai.usage.recorded` (PRODUCT.md, "Connectors"), by name. */
export const USAGE_METRICS: Readonly<Record<string, Measure>> = {
  // Claude Code: cost in US dollars; tokens by `type` (input, output; cacheRead and cacheCreation have no field).
  'claude_code.cost.usage': (value) => ({ cost: value, currency: 'USD' }),
  'claude_code.token.usage': (value, point) => tokens(text(point, 'type'), value),
  // GenAI semantic conventions: a histogram of tokens per operation, by `gen_ai.token.type`.
  'gen_ai.client.token.usage': (value, point) => tokens(text(point, 'gen_ai.token.type'), value),
};

type Series = Readonly<{ metric: string; temporality: number | undefined; points: readonly (NumberDataPoint | HistogramDataPoint)[]; valueOf: (point: NumberDataPoint & HistogramDataPoint) => number | undefined }>;

/** A sum's or histogram's points with how to read their value; undefined for the other metric types. */
function seriesOf(metric: Metric): Series | undefined {
  const name = metric.name ?? '';
  if (metric.sum) return { metric: name, temporality: metric.sum.aggregationTemporality, points: metric.sum.dataPoints ?? [], valueOf: (p) => p.asDouble ?? (p.asInt !== undefined ? Number(p.asInt) : undefined) };
  if (metric.histogram) return { metric: name, temporality: metric.histogram.aggregationTemporality, points: metric.histogram.dataPoints ?? [], valueOf: (p) => p.sum };
  return undefined;
}

const pointCount = (metric: Metric) =>
  (metric.sum?.dataPoints ?? metric.gauge?.dataPoints ?? metric.histogram?.dataPoints ?? metric.exponentialHistogram?.dataPoints ?? metric.summary?.dataPoints ?? []).length;

/**
 * Cost and token metrics → one `ai.usage.recorded` per data point, with its series (metric name, resource and point
 * attributes), the series' start and whether the value is cumulative, so that the usage projection derives the deltas.
 * Other metrics are ignored, point by point.
 */
export function mapMetrics(request: ExportMetricsRequest, _options: OtlpMappingOptions = DEFAULT_OTLP_MAPPING_OPTIONS): OtlpMapping {
  const mapping = mappingBuilder();
  for (const resourceMetrics of request.resourceMetrics ?? []) {
    const resource = attributesOf(resourceMetrics.resource?.attributes);
    for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
      for (const metric of scopeMetrics.metrics ?? []) mapMetric(mapping, metric, resource);
    }
  }
  return mapping.result();
}

function mapMetric(mapping: MappingBuilder, metric: Metric, resource: Attributes): void {
  const name = metric.name ?? '';
  const measure: Measure | undefined = Object.hasOwn(USAGE_METRICS, name) ? USAGE_METRICS[name] : undefined;
  const series = measure ? seriesOf(metric) : undefined;
  if (!measure || !series) {
    for (let i = 0; i < pointCount(metric); i++) {
      mapping.next();
      mapping.ignore(measure ? 'metric.unsupported-type' : 'metric.not-mapped');
    }
    return;
  }
  const tool = toolOf(resource);
  const teamId = text(resource, 'team.id');
  for (const point of series.points) {
    const record = mapping.next();
    if (series.temporality !== TEMPORALITY.cumulative && series.temporality !== TEMPORALITY.delta) {
      mapping.ignore('metric.temporality-unspecified');
      continue;
    }
    const attributes = attributesOf(point.attributes);
    const value = series.valueOf(point as NumberDataPoint & HistogramDataPoint);
    const measured = value === undefined || !Number.isFinite(value) ? undefined : measure(value, attributes);
    if (measured === 'metric.token-type-not-mapped') {
      mapping.ignore(measured);
      continue;
    }
    const employeeId = personOf(attributes, resource);
    const time = isoTimeOf(point.timeUnixNano);
    if (employeeId === undefined || time === undefined || measured === undefined) {
      mapping.refuse(record, employeeId === undefined ? 'no-person' : time === undefined ? 'no-time' : 'metric.no-value');
      continue;
    }
    const seriesKey = `${series.metric}:${derivedId([series.metric, sortedPairs(resource), sortedPairs(attributes)])}`;
    const seriesStart = isoTimeOf(point.startTimeUnixNano);
    mapping.emit(
      record,
      usageRecorded(
        tool,
        time,
        {
          employeeId,
          teamId,
          tool,
          model: text(attributes, 'model') ?? text(attributes, 'gen_ai.response.model') ?? text(attributes, 'gen_ai.request.model'),
          day: time.slice(0, 10),
          usageKey: `${seriesKey}@${point.timeUnixNano}`,
          ...measured,
          series: seriesKey,
          seriesStart,
          cumulative: series.temporality === TEMPORALITY.cumulative,
        },
        [seriesKey, point.startTimeUnixNano ?? '', point.timeUnixNano, value],
      ),
    );
  }
}
