import { useEffect, useState } from 'preact/hooks';

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'failed'; error: string }
  | { state: 'ready'; value: T };

/**
 * Loads `work` whenever `deps` change; an older load finishing late never overwrites a newer one. A value loaded for
 * other `deps` is never shown: while the new one loads, the section says so, so a filter, page or snapshot on screen
 * always describes the rows beside it. The returned reload keeps what is shown until the fresh value arrives, so
 * the sections below it stay as they are.
 */
export function useLoad<T>(work: () => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<{ for: unknown[]; value: Loaded<T> }>({
    for: deps,
    value: { state: 'loading' },
  });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    work().then(
      (value) => current && setLoaded({ for: deps, value: { state: 'ready', value } }),
      (error: unknown) =>
        current &&
        setLoaded({
          for: deps,
          value: { state: 'failed', error: error instanceof Error ? error.message : String(error) },
        }),
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  const fresh = loaded.for.length === deps.length && loaded.for.every((d, i) => Object.is(d, deps[i]));
  return [fresh ? loaded.value : { state: 'loading' }, () => setRound((r) => r + 1)];
}

/** What a section shows while it loads or when it failed; the content once ready. */
export function Show<T>({
  loaded,
  children,
}: {
  loaded: Loaded<T>;
  children: (value: T) => preact.ComponentChildren;
}) {
  if (loaded.state === 'loading') return <p class="loading">Loading…</p>;
  if (loaded.state === 'failed')
    return (
      <p class="error" role="alert">
        {loaded.error}
      </p>
    );
  return <>{children(loaded.value)}</>;
}
