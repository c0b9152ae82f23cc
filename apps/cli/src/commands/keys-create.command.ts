import { createPool, loadConfig, openDatabase } from '@rework-ledger/platform';
import { migrateAll } from '@rework-ledger/runtime';
import { ApiKeyEntity, createApiKeys, type Scope, SCOPES } from '@rework-ledger/tenancy';
import { DataSource } from 'typeorm';
import { type CliCommand, UsageError } from '../command';

/** `keys create`: a new API key for any tenant, printed once. */
export const keysCreateCommand: CliCommand = {
  name: ['keys', 'create'],
  summary: 'create an API key for a tenant (printed once; only its hash is stored)',
  usage: 'keys create --tenant <tenant> [--scopes ingest,read,admin,operator] [--name <label>]',
  options: {
    tenant: { type: 'string', description: 'the tenant the key is bound to' },
    scopes: { type: 'string', description: 'comma-separated: ingest, read, admin, operator (default ingest,read)' },
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

    const database = await openDatabase(loadConfig().database);
    const pool = createPool(database.url, { max: 2 });
    const dataSource = new DataSource({ type: 'postgres', url: database.url, entities: [ApiKeyEntity], synchronize: false });
    try {
      await migrateAll(pool);
      await dataSource.initialize();
      const { id, key } = await createApiKeys(dataSource).create(tenant, scopes as Scope[], name);
      process.stderr.write(`created key ${id} for tenant "${tenant}" with scopes ${scopes.join(', ')}; it is shown only now:\n`);
      process.stdout.write(`${key}\n`);
    } finally {
      await dataSource.destroy().catch(() => undefined);
      await pool.end();
      await database.close();
    }
  },
};
