import { createApiKeys } from '@rework-ledger/tenancy';
import { openCliRuntime, stringOption } from '../cli-runtime';
import type { CliCommand } from '../command';

/** The columns of `keys list`: never the key nor its hash. */
export const KEYS_LIST_COLUMNS = ['id', 'tenant', 'name', 'scopes', 'created', 'revoked'] as const;

/** `keys list`: every API key (of one tenant), tab-separated with a header, oldest first. */
export const keysListCommand: CliCommand = {
  name: ['keys', 'list'],
  summary: 'list API keys: id, tenant, name, scopes, created, revoked (never the key or its hash)',
  usage: 'keys list [--tenant <tenant>]',
  options: { tenant: { type: 'string', description: 'only the keys of this tenant' } },
  async run(options) {
    const runtime = await openCliRuntime();
    try {
      const keys = await createApiKeys(runtime.dataSource).list(stringOption(options, 'tenant'));
      const lines = [KEYS_LIST_COLUMNS.join('\t')];
      for (const key of keys) {
        // A name is free text: tabs and line breaks would break the columns.
        const name = key.name.replace(/[\t\r\n]+/g, ' ');
        lines.push([key.id, key.tenant, name, key.scopes.join(','), key.createdAt.toISOString(), key.revokedAt?.toISOString() ?? ''].join('\t'));
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      await runtime.close();
    }
  },
};
