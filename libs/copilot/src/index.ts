export * from './lib/copilot-report.client';
export * from './lib/copilot-usage.mapping';
export * from './lib/import-copilot-usage';
export * from './lib/ndjson-lines';
