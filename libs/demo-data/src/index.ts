export * from './lib/generate-organisation';
export * from './lib/organisation-options';
export * from './lib/presets';
export * from './lib/prng';
export * from './lib/synthetic-events';
export * from './lib/usage-reports';
