// Test support for projections and read models (jest only; never imported by application code).
export * from './lib/spec/projection-spec';
export * from './lib/spec/rebuild-equals-live';
