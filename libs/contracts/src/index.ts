export * from './lib/characters';
export * from './lib/cloud-event';
export * from './lib/compiled-event-validator';
export * from './lib/event-data';
export * from './lib/event-structure';
export * from './lib/event-validator';
export * from './lib/json-schemas';
export * from './lib/limits';
