import { useEffect, useState } from 'preact/hooks';
import { failureText } from './api';
import { read } from './read-batch';

export interface LoadOptions<T> {
  /** The message when the failure does not say (see failureText). */
  fallback?: string;
  /**
   * Show what was loaded until the next answer arrives (the overview's figures, a list reloaded
   * after a change) instead of nothing; `stale` says that what is shown belongs to another view.
   */
  keep?: boolean;
  /** Milliseconds after which to read again, given an answer (an import's progress while it runs); the poll ends with the view. */
  pollAfter?: (data: T) => number | undefined;
}

export interface Loaded<T> {
  data: T | null;
  error: string;
  /** True while `data` is the answer for an earlier key (only with `keep`). */
  stale: boolean;
  /** Reads the same key again (after a change the view made itself). */
  reload: () => void;
}

/**
 * Loads what `load` reads for a view (`key` names the view; null: nothing to read yet), cancelling
 * it when the view changes or the page leaves: a view left never receives the answer of the one
 * before, and its request stops at the server. The one hook for a view's data in the dashboard.
 */
export function useLoad<T>(
  key: string | null,
  load: (signal: AbortSignal) => Promise<T>,
  { fallback = 'Could not load the figures', keep = false, pollAfter }: LoadOptions<T> = {},
): Loaded<T> {
  const [state, setState] = useState<{ key: string | null; data: T | null; error: string }>({ key: null, data: null, error: '' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (key === null) return;
    const cancel = new AbortController();
    let next: ReturnType<typeof setTimeout> | undefined;
    if (!keep) setState({ key, data: null, error: '' });
    load(cancel.signal).then(
      (data) => {
        setState({ key, data, error: '' });
        const after = pollAfter?.(data);
        if (after !== undefined && !cancel.signal.aborted) next = setTimeout(() => setRound((r) => r + 1), after);
      },
      (failure) => !cancel.signal.aborted && setState({ key, data: null, error: failureText(failure, fallback) }),
    );
    return () => {
      cancel.abort();
      clearTimeout(next);
    };
  }, [key, round]);
  const reload = () => setRound((r) => r + 1);
  if (keep) return { data: state.data, error: state.key === key ? state.error : '', stale: state.key !== key, reload };
  const current = state.key === key ? state : { data: null, error: '' };
  return { data: current.data, error: current.error, stale: false, reload };
}

/** useLoad of one API path (null: nothing to read yet), sent with the other reads of its moment (read-batch.ts). */
export const useRead = <T>(path: string | null, fallback = 'Could not load the report') => useLoad<T>(path, (signal) => read<T>(path!, signal), { fallback });
