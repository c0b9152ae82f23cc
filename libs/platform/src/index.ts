export * from './lib/database/migrations';
export * from './lib/database/pool';
