import { useEffect, useState } from 'preact/hooks';
import { failureText } from './api';
import { read } from './read-batch';

/**
 * Loads what `load` reads for a view (`key` names the view), cancelling it when the view changes
 * or the page leaves: a view left never receives the answer of the one before. `reload` reads again.
 */
export function useLoad<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>, fallback = 'Could not load the figures') {
  const [state, setState] = useState<{ key: string | null; data: T | null; error: string }>({ key: null, data: null, error: '' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (key === null) return;
    const cancel = new AbortController();
    setState({ key, data: null, error: '' });
    load(cancel.signal).then(
      (data) => setState({ key, data, error: '' }),
      (failure) => !cancel.signal.aborted && setState({ key, data: null, error: failureText(failure, fallback) }),
    );
    return () => cancel.abort();
  }, [key, round]);
  const current = state.key === key ? state : { data: null, error: '' };
  return { data: current.data, error: current.error, reload: () => setRound((r) => r + 1) };
}

/** useLoad of one API path (null: nothing to read yet), sent with the other reads of its moment (read-batch.ts). */
export const useRead = <T>(path: string | null, fallback = 'Could not load the report') => useLoad<T>(path, (signal) => read<T>(path!, signal), fallback);
