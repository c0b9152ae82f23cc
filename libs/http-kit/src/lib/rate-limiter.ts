import { LedgerError } from '@rework-ledger/domain';
import { LRUCache } from 'lru-cache';

/** 429: the caller sent more requests to a route than its limit allows in the current window. */
export class RateLimitedError extends LedgerError {
  readonly status = 429;
  constructor(readonly retryAfterSeconds: number) {
    super('RATE.LIMITED', `too many requests; retry in ${retryAfterSeconds} s`);
  }
}

export type RateLimiterOptions = Readonly<{
  /** Length of a window (default one minute). */
  windowMs?: number;
  /** Counters kept at most (least recently used first out): many clients cannot grow the heap. */
  maxKeys?: number;
  /** Milliseconds now; for tests. */
  clock?: { now(): number };
}>;

/**
 * Fixed-window request counters per key (tenant or client address, and route), in a bounded LRU: O(1) per request and
 * a few dozen bytes per key. (@nestjs/throttler's in-memory storage keeps one timestamp per hit: a generous limit of
 * tens of thousands a minute would cost as many numbers per tenant, and it runs as a guard, after the body is read.)
 */
export function createRateLimiter(options: RateLimiterOptions = {}) {
  const windowMs = options.windowMs ?? 60_000;
  const clock = options.clock ?? Date;
  const windows = new LRUCache<string, { start: number; count: number }>({ max: options.maxKeys ?? 100_000 });

  const current = (key: string) => {
    const now = clock.now();
    let window = windows.get(key);
    if (!window || now - window.start >= windowMs) {
      window = { start: now, count: 0 };
      windows.set(key, window);
    }
    return { window, retryAfterSeconds: Math.max(1, Math.ceil((window.start + windowMs - now) / 1000)) };
  };

  return {
    /** Counts one request against `key`; throws RateLimitedError when `limit` were already counted in this window. 0: no limit. */
    take(key: string, limit: number): void {
      if (limit <= 0) return;
      const { window, retryAfterSeconds } = current(key);
      if (window.count >= limit) throw new RateLimitedError(retryAfterSeconds);
      window.count++;
    },
    /** Throws RateLimitedError when `key` has reached `limit` in this window, without counting. */
    check(key: string, limit: number): void {
      if (limit <= 0) return;
      const { window, retryAfterSeconds } = current(key);
      if (window.count >= limit) throw new RateLimitedError(retryAfterSeconds);
    },
    /** Counts one request against `key` without refusing it (e.g. a failed key look-up, refused anyway). */
    count(key: string): void {
      current(key).window.count++;
    },
    /** Counters held. */
    get size(): number {
      return windows.size;
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
