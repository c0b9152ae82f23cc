import { useCallback, useEffect, useState } from 'react';

export type View = 'operations' | 'learning' | 'skills' | 'connect';
export type HashState = { view: View; params: URLSearchParams };

const VIEWS: readonly View[] = ['operations', 'learning', 'skills', 'connect'];

function parse(hash: string): HashState {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?');
  const view = (VIEWS as readonly string[]).includes(path) ? (path as View) : 'operations';
  return { view, params: new URLSearchParams(query) };
}

/** The view and its filters live in the URL hash, so that a view can be bookmarked, shared and reloaded. */
export function useHashState(): [HashState, (view: View, params?: Record<string, string | undefined>) => void] {
  const [state, setState] = useState(() => parse(window.location.hash));
  useEffect(() => {
    const onChange = () => setState(parse(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const navigate = useCallback((view: View, params: Record<string, string | undefined> = {}) => {
    const query = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')).toString();
    window.location.hash = `#/${view}${query ? `?${query}` : ''}`;
  }, []);
  return [state, navigate];
}
