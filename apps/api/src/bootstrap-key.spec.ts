import type { ApiKeys } from '@rework-ledger/tenancy';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBootstrapKey, startupLines } from './bootstrap-key';

/** Records what is stored; creates keys as the real store would (unit test of what is printed). */
function recordingKeys(): ApiKeys & { stored: string[] } {
  const stored: string[] = [];
  return {
    stored,
    async create() {
      const key = `rl_generated-${stored.length}`;
      stored.push(key);
      return { id: 'id', key };
    },
    async ensure(key) {
      stored.push(key);
    },
    authenticate: async () => undefined,
    list: async () => [],
    revoke: async () => 'unknown',
  };
}

const occurrences = (lines: readonly string[], secret: string) => lines.join('\n').split(secret).length - 1;

describe('the bootstrap key at start-up', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'bootstrap-key-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given API_BOOTSTRAP_KEY, then it is stored and never printed', async () => {
    const keys = recordingKeys();
    const secret = 'the-operators-own-key-123';
    const bootstrap = await ensureBootstrapKey(keys, { tenant: 'demo', apiKey: secret }, dir);
    expect(keys.stored).toEqual([secret]);
    const lines = startupLines(bootstrap, 'demo', 'http://localhost:3000');
    expect(occurrences(lines, secret)).toBe(0);
    expect(lines.join('\n')).toContain('API_BOOTSTRAP_KEY');
  });

  it('given no key, then one is generated, kept, and printed once at each start', async () => {
    const keys = recordingKeys();
    const first = await ensureBootstrapKey(keys, { tenant: 'demo' }, dir);
    const again = await ensureBootstrapKey(keys, { tenant: 'demo' }, dir);
    expect(keys.stored).toEqual(['rl_generated-0', 'rl_generated-0']);
    for (const bootstrap of [first, again]) expect(occurrences(startupLines(bootstrap, 'demo', 'http://localhost:3000', dir), 'rl_generated-0')).toBe(1);
  });
});
