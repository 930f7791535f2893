import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Session, signIn, storedKey, storeKey } from './api.js';
import { DatasetPage } from './pages/dataset.js';
import { DatasetsPage } from './pages/datasets.js';
import { QuarantinePage } from './pages/quarantine.js';
import { RunsPage } from './pages/runs.js';

/** Pages are addressed by the URL's fragment, so links can be shared and the server serves one page. */
type Place =
  | { page: 'datasets' }
  | { page: 'dataset'; name: string }
  | { page: 'quarantine'; dataset?: string }
  | { page: 'runs'; dataset?: string };

function place(hash: string): Place {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const dataset = /^\/datasets\/([^/]+)$/.exec(path)?.[1];
  if (dataset) return { page: 'dataset', name: decodeURIComponent(dataset) };
  const only = params.get('dataset') ?? undefined;
  if (path === '/quarantine') return only ? { page: 'quarantine', dataset: only } : { page: 'quarantine' };
  if (path === '/runs') return only ? { page: 'runs', dataset: only } : { page: 'runs' };
  return { page: 'datasets' };
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

function SignIn({ onSession, notice }: { onSession: (s: Session) => void; notice?: string }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(notice ?? '');
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      const session = await signIn(key.trim());
      storeKey(session.key);
      onSession(session);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="signin">
      <h1>ODP console</h1>
      <p>Sign in with an API key. It is kept for this tab only and sent with each request.</p>
      <form onSubmit={submit}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
          required
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </main>
  );
}

function Console() {
  const [session, setSession] = useState<Session | undefined>();
  const [checking, setChecking] = useState(storedKey() !== null);
  const [notice, setNotice] = useState<string | undefined>();
  const hash = useHash();
  useEffect(() => {
    const key = storedKey();
    if (!key) return;
    signIn(key)
      .then(setSession)
      .catch((error: unknown) => {
        storeKey(null);
        setNotice(error instanceof ApiError ? error.message : String(error));
      })
      .finally(() => setChecking(false));
  }, []);
  if (checking) return <p class="loading">Checking the API key…</p>;
  if (!session) return <SignIn onSession={setSession} {...(notice ? { notice } : {})} />;
  const here = place(hash);
  const signOut = () => {
    storeKey(null);
    setSession(undefined);
  };
  const link = (href: string, label: string, active: boolean) => (
    <a href={href} aria-current={active ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <>
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header>
        <span class="brand">ODP</span>
        <nav aria-label="Console">
          {link('#/', 'Datasets', here.page === 'datasets' || here.page === 'dataset')}
          {link('#/runs', 'Runs', here.page === 'runs')}
          {link('#/quarantine', 'Quarantine', here.page === 'quarantine')}
          <a href="/docs">API docs</a>
        </nav>
        <span class="who">
          {session.name} ({session.scope})
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        {here.page === 'datasets' && <DatasetsPage session={session} />}
        {here.page === 'dataset' && <DatasetPage session={session} name={here.name} />}
        {here.page === 'quarantine' && <QuarantinePage session={session} dataset={here.dataset} />}
        {here.page === 'runs' && <RunsPage session={session} dataset={here.dataset} />}
      </main>
    </>
  );
}

const root = document.getElementById('console');
if (root) {
  root.textContent = '';
  render(<Console />, root);
}
