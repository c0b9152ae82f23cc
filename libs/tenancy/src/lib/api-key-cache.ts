import { LRUCache } from 'lru-cache';

/** How long and how many key look-ups are kept in memory. */
export type ApiKeyCacheOptions = Readonly<{
  /** How long a valid key is trusted without asking the database again: a revocation takes effect within it. */
  ttlMs?: number;
  /** Valid keys kept at most (least recently used first out). */
  maxEntries?: number;
  /** How long an unknown or revoked key is remembered as such. */
  negativeTtlMs?: number;
  /** Unknown keys remembered at most: random keys cannot grow the heap. */
  maxNegativeEntries?: number;
  /** Milliseconds now (monotonic); for tests. */
  clock?: { now(): number };
}>;

export const API_KEY_CACHE_DEFAULTS = { ttlMs: 30_000, maxEntries: 10_000, negativeTtlMs: 5_000, maxNegativeEntries: 10_000 } as const;

/** The longest a valid key may be cached: a revoked key must stop working within a minute. */
export const API_KEY_CACHE_MAX_TTL_MS = 60_000;

/**
 * Key look-ups by hash in two bounded LRU caches: found keys for `ttlMs`, failed look-ups briefly in a space of
 * their own, so that a flood of random keys neither evicts the valid ones nor grows without bound.
 */
export function createApiKeyCache<T extends object>(lookup: (hash: string) => Promise<T | undefined>, options: ApiKeyCacheOptions = {}) {
  const ttlMs = options.ttlMs ?? API_KEY_CACHE_DEFAULTS.ttlMs;
  if (!(ttlMs > 0 && ttlMs <= API_KEY_CACHE_MAX_TTL_MS)) throw new RangeError(`the API key cache TTL must be from 1 to ${API_KEY_CACHE_MAX_TTL_MS} ms`);
  // ttlResolution 0: an injected clock is read at every look-up (lru-cache otherwise reuses "now" for a tick).
  const perf = options.clock ? { perf: options.clock, ttlResolution: 0 } : {};
  const found = new LRUCache<string, T>({ max: options.maxEntries ?? API_KEY_CACHE_DEFAULTS.maxEntries, ttl: ttlMs, ...perf });
  const notFound = new LRUCache<string, true>({
    max: options.maxNegativeEntries ?? API_KEY_CACHE_DEFAULTS.maxNegativeEntries,
    ttl: Math.min(options.negativeTtlMs ?? API_KEY_CACHE_DEFAULTS.negativeTtlMs, ttlMs),
    ...perf,
  });

  return {
    async get(hash: string): Promise<T | undefined> {
      const hit = found.get(hash);
      if (hit) return hit;
      if (notFound.get(hash)) return undefined;
      const value = await lookup(hash);
      if (value) found.set(hash, value);
      else notFound.set(hash, true);
      return value;
    },
    /** Forgets every cached entry whose value matches (a key revoked by this process stops working at once). */
    /** The value of a valid look-up still cached, without looking up anything. */
    peek(hash: string): T | undefined {
      return found.get(hash);
    },
    forget(matches: (value: T) => boolean): void {
      for (const [hash, value] of found.entries()) if (matches(value)) found.delete(hash);
    },
    /** Entries held: valid and failed look-ups. */
    get size(): { found: number; notFound: number } {
      return { found: found.size, notFound: notFound.size };
    },
  };
}

export type ApiKeyCache<T extends object> = ReturnType<typeof createApiKeyCache<T>>;
