// Test helpers of the Copilot importer (`@rework-ledger/copilot/testing`): the fake GitHub over the recorded fixtures.
export * from './lib/copilot-fixtures.test-support';
