export * from './lib/demo-data.loader';
export * from './lib/metrics-token.guard';
export * from './lib/operations.controller';
export * from './lib/operations.module';
export * from './lib/prometheus';
