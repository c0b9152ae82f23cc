export * from './test-database';
export * from './embedded-postgres-available';
export * from './app-process';
