export * from './lib/apply-failure';
export { decodeFor, type ProjectedEvent } from './lib/apply-or-park';
export { readProjectionPositions } from './lib/checkpoint-store';
export * from './lib/parked-events';
export * from './lib/projection';
export * from './lib/projection-runner';
export * from './lib/projection.tokens';
