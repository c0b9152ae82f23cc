import { type ApiKeys, SCOPES } from '@rework-ledger/tenancy';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The bootstrap key: `given` by the operator (API_BOOTSTRAP_KEY), or `generated` once and kept in a file. */
export type BootstrapKey = { origin: 'given' } | { origin: 'generated'; key: string; file: string };

/** Stores API_BOOTSTRAP_KEY if given, else the key kept in `stateDir` (generated there the first time). */
export async function ensureBootstrapKey(apiKeys: ApiKeys, bootstrap: Readonly<{ tenant: string; apiKey?: string }>, stateDir: string): Promise<BootstrapKey> {
  const { tenant, apiKey } = bootstrap;
  if (apiKey) {
    await apiKeys.ensure(apiKey, tenant, SCOPES, 'bootstrap (API_BOOTSTRAP_KEY)');
    return { origin: 'given' };
  }
  const file = join(stateDir, `bootstrap-key.${tenant}`);
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    await apiKeys.ensure(key, tenant, SCOPES, 'bootstrap (generated)');
    return { origin: 'generated', key, file };
  }
  const { key } = await apiKeys.create(tenant, SCOPES, 'bootstrap (generated)');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { origin: 'generated', key, file };
}

/**
 * What the server says at start about its key. A secret is printed at most once: never the operator's own key (they
 * have it, and logs are kept and shipped), the generated demo key in one line.
 */
export function startupLines(bootstrap: BootstrapKey, tenant: string, url: string, cwd = process.cwd()): string[] {
  const keyLine =
    bootstrap.origin === 'given'
      ? `API key for tenant "${tenant}": the one in API_BOOTSTRAP_KEY`
      : `API key for tenant "${tenant}" (generated, kept in ${relative(cwd, bootstrap.file)}): ${bootstrap.key}`;
  return [`Rework Ledger is running at ${url}`, keyLine, `try: curl -H "Authorization: Bearer $KEY" "${url}/v1/metrics/rework?groupBy=team"  (KEY: the key above)`];
}
