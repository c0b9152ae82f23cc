export * from './lib/get-rework-metrics.query';
export * from './lib/metrics-api.module';
export * from './lib/rework-metrics.controller';
export * from './lib/get-usage-metrics.query';
export * from './lib/usage-metrics.controller';
