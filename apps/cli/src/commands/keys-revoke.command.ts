import { createApiKeys } from '@rework-ledger/tenancy';
import { openCliRuntime } from '../cli-runtime';
import { type CliCommand, UsageError } from '../command';

/** `keys revoke <id>`: the key stops working at once in new processes, within the key cache TTL in running ones. */
export const keysRevokeCommand: CliCommand = {
  name: ['keys', 'revoke'],
  summary: 'revoke an API key by its id (see keys list); running servers stop accepting it within API_KEY_CACHE_SECONDS',
  usage: 'keys revoke <id>',
  options: {},
  async run(_options, positionals) {
    const [id, ...extra] = positionals;
    if (!id || extra.length > 0) throw new UsageError('give the id of one key (see keys list)');
    const runtime = await openCliRuntime();
    try {
      const outcome = await createApiKeys(runtime.dataSource).revoke(id);
      if (outcome === 'unknown') throw new Error(`no API key has the id ${id}`);
      process.stderr.write(outcome === 'revoked' ? `revoked key ${id}\n` : `key ${id} was already revoked\n`);
    } finally {
      await runtime.close();
    }
  },
};
