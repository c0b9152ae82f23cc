// Runs once before all test files: use DATABASE_URL when set (CI: the machine's PostgreSQL), else start an
// embedded PostgreSQL for this run. Each test file then creates its own database (see test-database.ts).
export default async function globalSetup(): Promise<void> {
  if (process.env['DATABASE_URL']) return;
  // jest does not map the workspace aliases for its global setup: import the file itself.
  // eslint-disable-next-line @nx/enforce-module-boundaries
  const { startEmbeddedPostgres } = await import('../../platform/src/lib/database/embedded-postgres');
  const server = await startEmbeddedPostgres({ persistent: false });
  process.env['DATABASE_URL'] = server.url;
  (globalThis as { __embeddedPostgres?: { stop(): Promise<void> } }).__embeddedPostgres = server;
}
