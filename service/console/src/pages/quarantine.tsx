import { useState } from 'preact/hooks';
import { type Answer, call, type Run, type RunState, type Session } from '../api.js';
import { Show, useLoad } from '../load.js';
import { RunRecord } from './runs.js';

/** Follows a run started through the API until it has ended. */
async function followRun(key: string, location: string): Promise<Run> {
  for (;;) {
    const run = await call<RunState>(key, location);
    if (run.status !== 'running') return run;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function Records({
  session,
  dataset,
  onRedriven,
}: {
  session: Session;
  dataset: string;
  /** Called once a re-drive has ended, so the counts outside this section follow. */
  onRedriven: () => void;
}) {
  const [records, reload] = useLoad(
    () =>
      call<Answer<'/v1/datasets/{name}/quarantine'>>(
        session.key,
        `/v1/datasets/${encodeURIComponent(dataset)}/quarantine?limit=500`,
      ),
    [session.key, dataset],
  );
  const [open, setOpen] = useState<string | undefined>();
  const [redrive, setRedrive] = useState<
    { state: 'running' } | { state: 'done'; run: Run } | { state: 'failed'; error: string }
  >();
  const start = async (runId: string) => {
    setRedrive({ state: 'running' });
    try {
      const response = await fetch(
        `/v1/datasets/${encodeURIComponent(dataset)}/quarantine/replay?run=${encodeURIComponent(runId)}`,
        { method: 'POST', headers: { authorization: `Bearer ${session.key}` } },
      );
      const body = (await response.json()) as { detail?: string };
      if (response.status !== 202) throw new Error(body.detail ?? `the API answered ${response.status}`);
      setRedrive({
        state: 'done',
        run: await followRun(session.key, response.headers.get('Location') as string),
      });
      reload();
      onRedriven();
    } catch (error) {
      setRedrive({ state: 'failed', error: error instanceof Error ? error.message : String(error) });
    }
  };
  return (
    <Show loaded={records}>
      {({ data }) => {
        const reasons = new Map<string, number>();
        for (const r of data) for (const code of r.codes) reasons.set(code, (reasons.get(code) ?? 0) + 1);
        return (
          <>
            <div role="status" aria-live="polite">
              {redrive?.state === 'running' && <p>Re-driving…</p>}
              {redrive?.state === 'failed' && <p class="error">{redrive.error}</p>}
              {redrive?.state === 'done' && (
                <div class="notice">
                  <p>
                    Re-drive run {redrive.run.run_id}: {redrive.run.status}, {redrive.run.inserted} inserted,{' '}
                    {redrive.run.updated} updated, {redrive.run.quarantined} quarantined again.
                  </p>
                  <details>
                    <summary>The run's record</summary>
                    <RunRecord run={redrive.run} />
                  </details>
                </div>
              )}
            </div>
            <h2>Reasons</h2>
            {data.length === 0 ? (
              <p>Nothing waits in quarantine for {dataset}.</p>
            ) : (
              <ul class="reasons">
                {[...reasons]
                  .sort((a, b) => b[1] - a[1])
                  .map(([code, count]) => (
                    <li key={code}>
                      <code>{code}</code>: {count}
                    </li>
                  ))}
              </ul>
            )}
            <h2>Records</h2>
            <ul class="quarantined">
              {data.map((r) => {
                const id = `${r.run_id}/${r.record_no}`;
                return (
                  <li key={id}>
                    <button
                      type="button"
                      class="link"
                      aria-expanded={open === id}
                      onClick={() => setOpen(open === id ? undefined : id)}
                    >
                      Record {r.record_no} of run {r.run_id}
                    </button>
                    <span class="muted"> — {r.reason}</span>
                    {open === id && (
                      <div class="side-by-side">
                        <section aria-label="Reason">
                          <h3>Reason</h3>
                          <p>{r.reason}</p>
                          <p class="muted">{r.codes.join(', ')}</p>
                        </section>
                        <section aria-label="Record as received">
                          <h3>Record as received</h3>
                          <pre>{r.raw ?? '(not kept)'}</pre>
                        </section>
                        {session.scope === 'admin' && (
                          <button
                            type="button"
                            onClick={() => void start(r.run_id)}
                            disabled={redrive?.state === 'running'}
                          >
                            Re-drive the records of run {r.run_id}
                          </button>
                        )}
                      </div>
                    )}
                  </li>
                );
              })}
            </ul>
          </>
        );
      }}
    </Show>
  );
}

/** What runs set aside and why, with the record as received; operators re-drive after fixing the definition. */
export function QuarantinePage({ session, dataset }: { session: Session; dataset: string | undefined }) {
  const [datasets, reloadDatasets] = useLoad(
    () => call<Answer<'/v1/datasets'>>(session.key, '/v1/datasets'),
    [session.key],
  );
  const [chosen, setChosen] = useState(dataset);
  return (
    <>
      <h1>Quarantine</h1>
      <Show loaded={datasets}>
        {({ data }) => {
          const current = chosen ?? data.find((d) => d.quarantined > 0)?.name ?? data[0]?.name;
          return (
            <>
              <form class="filters" onSubmit={(e) => e.preventDefault()}>
                <label>
                  Dataset{' '}
                  <select value={current} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
                    {data.map((d) => (
                      <option key={d.name} value={d.name}>
                        {d.name} ({d.quarantined})
                      </option>
                    ))}
                  </select>
                </label>
              </form>
              {session.scope !== 'admin' ? (
                <p class="notice">
                  Quarantined records are shown as received, so reading them needs an admin key. This key (
                  {session.name}) has the read scope: {data.find((d) => d.name === current)?.quarantined ?? 0}{' '}
                  records of {current} wait for a re-drive.
                </p>
              ) : (
                current && <Records session={session} dataset={current} onRedriven={reloadDatasets} />
              )}
            </>
          );
        }}
      </Show>
    </>
  );
}
