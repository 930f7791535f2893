import { useEffect, useRef, useState } from 'preact/hooks';

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'failed'; error: string }
  | { state: 'ready'; value: T };

/**
 * Loads `work` whenever `deps` change; an older load finishing late never overwrites a newer one. The returned
 * reload keeps what is shown until the fresh value arrives, so the sections below it stay as they are.
 */
export function useLoad<T>(work: () => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  const shownRound = useRef(round);
  useEffect(() => {
    let current = true;
    if (shownRound.current === round) setLoaded({ state: 'loading' });
    shownRound.current = round;
    work().then(
      (value) => current && setLoaded({ state: 'ready', value }),
      (error: unknown) =>
        current &&
        setLoaded({ state: 'failed', error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  return [loaded, () => setRound((r) => r + 1)];
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
