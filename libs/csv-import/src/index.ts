export * from './lib/column-mapping';
export * from './lib/csv-import.errors';
export * from './lib/csv-records';
export * from './lib/date-format';
export * from './lib/import-csv';
export * from './lib/rejected-file';
export * from './lib/row-mapping';
