import { randomBytes } from 'node:crypto';
import { createApiKeyCache } from './api-key-cache';

const manualClock = () => {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

describe('API key cache', () => {
  it('given 200,000 random keys, then it holds a bounded number of entries, the valid key stays cached, and each unknown key costs one look-up', async () => {
    const lookups: string[] = [];
    const valid = { tenant: 'acme' };
    const cache = createApiKeyCache(async (hash) => (lookups.push(hash), hash === 'valid' ? valid : undefined), { maxEntries: 100, maxNegativeEntries: 1_000 });
    expect(await cache.get('valid')).toBe(valid);
    for (let i = 0; i < 200_000; i++) await cache.get(randomBytes(16).toString('hex'));
    expect(cache.size).toEqual({ found: 1, notFound: 1_000 });
    expect(lookups.length).toBe(200_001);
    expect(await cache.get('valid')).toBe(valid);
    expect(lookups.length).toBe(200_001);
  });

  it('given a key asked for again within the TTL, then the store is asked once; after the TTL, asked again (a revocation takes effect)', async () => {
    const clock = manualClock();
    let stored: { tenant: string } | undefined = { tenant: 'acme' };
    let lookups = 0;
    const cache = createApiKeyCache(async () => (lookups++, stored), { ttlMs: 30_000, clock });
    expect(await cache.get('k')).toEqual({ tenant: 'acme' });
    stored = undefined; // revoked in the database
    clock.advance(29_000);
    expect(await cache.get('k')).toEqual({ tenant: 'acme' });
    clock.advance(1_001);
    expect(await cache.get('k')).toBeUndefined();
    expect(lookups).toBe(2);
  });

  it('given an unknown key, then it is remembered briefly, then asked again (a key created meanwhile works)', async () => {
    const clock = manualClock();
    const database: { stored?: { tenant: string } } = {};
    let lookups = 0;
    const cache = createApiKeyCache(async () => (lookups++, database.stored), { negativeTtlMs: 5_000, clock });
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.get('k')).toBeUndefined();
    expect(lookups).toBe(1);
    database.stored = { tenant: 'acme' };
    clock.advance(5_001);
    expect(await cache.get('k')).toEqual({ tenant: 'acme' });
  });

  it('refuses a TTL over a minute', () => {
    expect(() => createApiKeyCache(async () => undefined, { ttlMs: 61_000 })).toThrow(RangeError);
  });
});
