import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** The one place Prometheus metric names are built. */
export const METRIC_PREFIX = 'rework_ledger_';
export const metricName = (name: string) => `${METRIC_PREFIX}${name}`;

/** The process's Prometheus registry, with Node.js defaults and the platform's own metrics. */
export function createMetricsRegistry(): { registry: Registry; eventsIngested: Counter<'transport' | 'outcome'>; projectionEventsBehind: Gauge<'projection'> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const eventsIngested = new Counter({
    name: metricName('events_ingested_total'),
    help: 'Events received for ingestion, by transport and outcome (stored, duplicate, rejected).',
    labelNames: ['transport', 'outcome'] as const,
    registers: [registry],
  });
  const projectionEventsBehind = new Gauge({
    name: metricName('projection_events_behind'),
    help: 'Events stored but not yet applied by a projection.',
    labelNames: ['projection'] as const,
    registers: [registry],
  });
  return { registry, eventsIngested, projectionEventsBehind };
}

export type PlatformMetrics = ReturnType<typeof createMetricsRegistry>;
export const PLATFORM_METRICS = Symbol('PlatformMetrics');
