import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export type TestDatabase = Readonly<{ url: string; drop(): Promise<void> }>;

// 55006 object_in_use: CREATE DATABASE copies template1, which another test may be touching at that moment.
const TEMPLATE_BUSY = '55006';

async function withAdmin<T>(adminUrl: string, work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: adminUrl, application_name: 'rework-ledger-tests' });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/**
 * Creates a fresh, empty database for one test file on the server of DATABASE_URL (set by the jest global setup).
 * `drop()` removes it, closing any connection a test left open.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env['DATABASE_URL'];
  if (!adminUrl) throw new Error('DATABASE_URL is not set: run the tests through jest, whose global setup provides it');
  const name = `rl_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, async (admin) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name}`);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== TEMPLATE_BUSY || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withAdmin(adminUrl, async (admin) => {
        const { dropDatabaseWhenIdle } = await import('@rework-ledger/platform');
        await dropDatabaseWhenIdle(admin, name);
      }),
  };
}
