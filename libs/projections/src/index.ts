export * from './lib/projection';
export * from './lib/projection-runner';
export * from './lib/projection.tokens';
