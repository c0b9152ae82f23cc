export * from './lib/database/migrations';
export * from './lib/database/pool';
export * from './lib/database/embedded-postgres';
