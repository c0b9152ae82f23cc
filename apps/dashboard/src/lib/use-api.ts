import { useCallback, useEffect, useState } from 'react';
import { ApiError, getJson } from './api-client';

export type Loadable<T> =
  | { state: 'loading'; data?: undefined; error?: undefined }
  | { state: 'ready'; data: T; error?: undefined }
  | { state: 'failed'; data?: undefined; error: unknown };

/**
 * Loads one or more API paths together; reloads when a path changes. Tells `onBadKey` when the key is refused so
 * that the app can ask for another one.
 */
export function useApi<T extends unknown[]>(paths: { [K in keyof T]: string }, key: string, onBadKey: (error: ApiError) => void): Loadable<T> & { retry: () => void } {
  const [result, setResult] = useState<Loadable<T>>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const signature = JSON.stringify(paths);
  useEffect(() => {
    const controller = new AbortController();
    setResult({ state: 'loading' });
    Promise.all((JSON.parse(signature) as string[]).map((path) => getJson<unknown>(path, key, controller.signal)))
      .then((data) => setResult({ state: 'ready', data: data as T }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.badKey) onBadKey(error);
        setResult({ state: 'failed', error });
      });
    return () => controller.abort();
  }, [signature, key, attempt, onBadKey]);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...result, retry };
}
