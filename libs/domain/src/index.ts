export * from './lib/event-types';
export * from './lib/events';
export * from './lib/errors';
export * from './lib/metric-definitions';
export * from './lib/stream-names';
export * from './lib/privacy';
export * from './lib/seeded-random';
export * from './lib/privacy-tables';
