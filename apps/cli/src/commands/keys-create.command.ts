import { createPool, loadConfig, openDatabase } from '@rework-ledger/platform';
import { migrateAll } from '@rework-ledger/runtime';
import { ApiKeyEntity, createApiKeys, type Scope, SCOPES } from '@rework-ledger/tenancy';
import { DataSource } from 'typeorm';
import { type CliCommand, UsageError } from '../command';

/**
 * `keys create`: a new API key for any tenant, printed once: the key alone on stdout (scripts capture it), and on
 * stderr the same key as the user name and password an LMS's xAPI screen asks for (HTTP Basic).
 */
export const keysCreateCommand: CliCommand = {
  name: ['keys', 'create'],
  summary: 'create an API key for a tenant (printed once; only its hash is stored)',
  usage: 'keys create --tenant <tenant> [--scopes ingest,read,lrs,admin,operator] [--name <label>]',
  options: {
    tenant: { type: 'string', description: 'the tenant the key is bound to' },
    scopes: { type: 'string', description: 'comma-separated: ingest, read, lrs (read xAPI statements), admin, operator (default ingest,read)' },
    name: { type: 'string', description: 'a label to recognise the key by' },
  },
  async run(options) {
    const tenant = typeof options['tenant'] === 'string' ? options['tenant'].trim() : '';
    if (!tenant) throw new UsageError('--tenant is required');
    const scopes = String(options['scopes'] ?? 'ingest,read')
      .split(',')
      .map((scope) => scope.trim())
      .filter(Boolean);
    const unknown = scopes.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
    if (unknown.length > 0 || scopes.length === 0) throw new UsageError(`--scopes takes ${SCOPES.join(', ')} (got ${unknown.join(', ') || 'none'})`);
    const name = typeof options['name'] === 'string' ? options['name'] : `created by the CLI for ${tenant}`;

    const config = loadConfig();
    const database = await openDatabase(config.database);
    const pool = createPool(database.url, { max: 2, connectionTimeoutMs: config.databasePools.timeoutMs });
    const dataSource = new DataSource({ type: 'postgres', url: database.url, entities: [ApiKeyEntity], synchronize: false });
    try {
      await migrateAll(pool);
      await dataSource.initialize();
      const { id, key } = await createApiKeys(dataSource).create(tenant, scopes as Scope[], name);
      process.stderr.write(`created key ${id} for tenant "${tenant}" with scopes ${scopes.join(', ')}; it is shown only now:\n`);
      process.stderr.write(basicAuthForm(id, key));
      process.stdout.write(`${key}\n`);
    } finally {
      await dataSource.destroy().catch(() => undefined);
      await pool.end();
      await database.close();
    }
  },
};

/** How an LMS or LRS forwarder takes the key (xAPI, HTTP Basic): the key's id as user name, the key as password. */
export function basicAuthForm(id: string, key: string): string {
  const header = `Basic ${Buffer.from(`${id}:${key}`).toString('base64')}`;
  return `for xAPI (HTTP Basic, endpoint http://<host>:<port>/v1/xapi): username (key) ${id}, password (secret) the key below; header "Authorization: ${header}"\n`;
}
