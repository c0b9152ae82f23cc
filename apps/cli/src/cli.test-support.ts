import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';

/**
 * For a CLI command's integration test: a database of its own as DATABASE_URL (what the command's configuration
 * reads), everything the command prints on stdout collected, stderr silenced; all undone after the file.
 */
export function useCliTestDatabase(): { readonly database: TestDatabase; printed: string } {
  const context = { database: undefined as unknown as TestDatabase, printed: '' };
  const serverUrl = process.env['DATABASE_URL'];

  beforeAll(async () => {
    context.database = await createTestDatabase();
    process.env['DATABASE_URL'] = context.database.url;
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((context.printed += String(chunk)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    process.env['DATABASE_URL'] = serverUrl;
    await context.database.drop();
  });

  return context;
}
