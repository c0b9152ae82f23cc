import type { ApiErrorBody } from './api-types';

/** An answer of the API that is not a success, with its stable code when it has one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** The key itself is the problem: missing or not known. */
  get badKey(): boolean {
    return this.status === 401;
  }
}

/** What a failed call means for the person looking at the dashboard. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return `This API key was not accepted (${error.code}). Check that you copied the whole key, starting with rl_.`;
    if (error.status === 403) return `This API key may not see this (${error.code}): ${error.message}`;
    return `${error.message} (${error.code}, HTTP ${error.status})`;
  }
  return `The server could not be reached: ${(error as Error)?.message ?? String(error)}`;
}

const KEY_STORAGE = 'rework-ledger.apiKey';

/** The API key of this browser session (kept until the tab is closed, never in the URL or local storage). */
export const sessionKey = {
  get: (): string => sessionStorage.getItem(KEY_STORAGE) ?? '',
  set: (key: string): void => sessionStorage.setItem(KEY_STORAGE, key),
  clear: (): void => sessionStorage.removeItem(KEY_STORAGE),
};

/**
 * How many times an answer of 503 with Retry-After (the database busy or restarting: DATABASE.OVERLOADED,
 * DATABASE.UNAVAILABLE) is asked for again, after the wait it names (at most MAX_RETRY_WAIT_SECONDS), before it is
 * shown: a page whose requests come in together at a large tenant then waits its turn instead of failing.
 */
export const BUSY_RETRIES = 2;
const MAX_RETRY_WAIT_SECONDS = 30;

/** Waits `ms`, or rejects as soon as `signal` aborts (the page moved on). */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** GET a path of the API with the key; rejects with ApiError on any non-2xx answer (a busy 503 after its retries). */
export async function getJson<T>(path: string, key: string, signal?: AbortSignal, wait: (ms: number, signal?: AbortSignal) => Promise<void> = pause): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(path, { headers: { authorization: `Bearer ${key}`, accept: 'application/json' }, signal });
    const text = await response.text();
    const retryAfter = Number(response.headers.get('retry-after') ?? NaN);
    if (response.status === 503 && attempt < BUSY_RETRIES && retryAfter > 0) {
      await wait(Math.min(retryAfter, MAX_RETRY_WAIT_SECONDS) * 1000, signal);
      continue;
    }
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const error = (body ?? {}) as Partial<ApiErrorBody>;
      throw new ApiError(response.status, error.code ?? `HTTP.${response.status}`, error.message ?? (response.statusText || 'request failed'));
    }
    return body as T;
  }
}
