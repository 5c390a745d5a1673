import { useCallback, useEffect, useMemo, useState, type DependencyList } from 'react';

export type AsyncState<T> = { readonly status: 'loading' } | { readonly status: 'error'; readonly error: Error } | { readonly status: 'ready'; readonly value: T };

/**
 * Runs `load` whenever `deps` change, aborting the previous run; `reload` reruns it. The returned
 * object is the same between renders until the state changes, so it can be an effect's or a
 * memo's dependency (a fresh object every render made such effects run on every render).
 */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): AsyncState<T> & { reload: () => void } {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    load(controller.signal).then(
      (value) => {
        if (!controller.signal.aborted) setState({ status: 'ready', value });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'error', error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return useMemo(() => ({ ...state, reload }), [state, reload]);
}
