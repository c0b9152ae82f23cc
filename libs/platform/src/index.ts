export * from './lib/database/migrations';
export * from './lib/database/pool';
export * from './lib/database/embedded-postgres';
export * from './lib/config/app-config';
export * from './lib/config/config.errors';
export * from './lib/config/configuration-variables';
export * from './lib/database/open-database';
export * from './lib/database/drop-database';
