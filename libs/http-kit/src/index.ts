export * from './lib/api-key.guard';
export * from './lib/ledger-exception.filter';
export * from './lib/principal.decorator';
export * from './lib/query-params';
export * from './lib/openapi';
