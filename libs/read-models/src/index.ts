export * from './lib/rework-metrics/rework-metrics.projection';
export * from './lib/rework-metrics/rework-metrics.query';
export * from './lib/sql-queryable';
export * from './lib/read-model-projections';
export * from './lib/training/training.projection';
export * from './lib/training/training.queries';
export * from './lib/rework-metrics/protected-rework-metrics';
