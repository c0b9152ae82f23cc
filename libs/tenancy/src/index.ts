export * from './lib/api-key.entity';
export * from './lib/api-key-cache';
export * from './lib/api-keys';
export * from './lib/tenancy.migrations';
export * from './lib/tenant-settings';
export * from './lib/tenant-settings.entity';
export * from './lib/tenancy.tokens';
