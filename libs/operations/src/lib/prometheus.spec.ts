import { createKafkaMetrics, createMetricsRegistry } from './prometheus';

describe('Prometheus metrics', () => {
  it('are platform-wide: no metric is labelled by tenant (GET /metrics may be read with no key at all)', () => {
    const { registry } = createMetricsRegistry();
    createKafkaMetrics(registry);
    const labelled = registry.getMetricsAsArray().map((metric) => ({ name: metric.name, labels: (metric as unknown as { labelNames?: string[] }).labelNames ?? [] }));
    expect(labelled.length).toBeGreaterThan(5);
    expect(labelled.filter(({ labels }) => labels.some((label) => /tenant/i.test(label)))).toEqual([]);
  });
});
