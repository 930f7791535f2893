import { useState } from 'preact/hooks';
import { type Answer, call, type Run, type Session } from '../api.js';
import { Show, useLoad } from '../load.js';
import { seconds } from '../time.js';

/** A run's record in full: what it read, what it did, why it failed, and its raw increments. */
export function RunRecord({ run }: { run: Run }) {
  return (
    <dl class="record">
      <dt>Run</dt>
      <dd>{run.run_id}</dd>
      <dt>Dataset</dt>
      <dd>{run.dataset}</dd>
      <dt>Status</dt>
      <dd>{run.status}</dd>
      <dt>Trigger</dt>
      <dd>{run.trigger}</dd>
      <dt>Source</dt>
      <dd>{run.source}</dd>
      <dt>Started</dt>
      <dd>{run.started_at}</dd>
      <dt>Duration</dt>
      <dd>{seconds(run.started_at, run.ended_at).toFixed(1)} s</dd>
      <dt>Records</dt>
      <dd>
        {run.received} received: {run.inserted} inserted, {run.updated} updated, {run.unchanged} unchanged,{' '}
        {run.quarantined} quarantined
      </dd>
      <dt>Snapshot</dt>
      <dd>{run.snapshot_id ?? '—'}</dd>
      {run.error && (
        <>
          <dt>Error</dt>
          <dd class="error">{run.error}</dd>
        </>
      )}
      {run.top_reasons.length > 0 && (
        <>
          <dt>Quarantine reasons</dt>
          <dd>{run.top_reasons.map((r) => `${r.code} (${r.count})`).join(', ')}</dd>
        </>
      )}
      <dt>Increments</dt>
      <dd>
        {run.increments.length ? (
          <ul>
            {run.increments.map((i) => (
              <li key={i}>
                <code>{i}</code>
              </li>
            ))}
          </ul>
        ) : (
          'none'
        )}
      </dd>
    </dl>
  );
}

/** Runs of every dataset, newest first, filtered by dataset and outcome. */
export function RunsPage({ session, dataset }: { session: Session; dataset: string | undefined }) {
  const [only, setOnly] = useState(dataset ?? '');
  const [status, setStatus] = useState('');
  const [open, setOpen] = useState<string | undefined>();
  const [datasets] = useLoad(() => call<Answer<'/v1/datasets'>>(session.key, '/v1/datasets'), [session.key]);
  const query = new URLSearchParams({
    limit: '100',
    ...(only ? { dataset: only } : {}),
    ...(status ? { status } : {}),
  });
  const [runs] = useLoad(
    () => call<Answer<'/v1/runs'>>(session.key, `/v1/runs?${query}`),
    [session.key, only, status],
  );
  return (
    <>
      <h1>Runs</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Dataset{' '}
          <select value={only} onChange={(e) => setOnly((e.target as HTMLSelectElement).value)}>
            <option value="">all</option>
            {datasets.state === 'ready' &&
              datasets.value.data.map((d) => (
                <option key={d.name} value={d.name}>
                  {d.name}
                </option>
              ))}
          </select>
        </label>
        <label>
          Status{' '}
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
            <option value="">any</option>
            <option value="succeeded">succeeded</option>
            <option value="failed">failed</option>
            <option value="not-modified">not modified</option>
            <option value="abandoned">abandoned</option>
          </select>
        </label>
      </form>
      <Show loaded={runs}>
        {({ data, running }) => (
          <div class="scroll">
            {running.length > 0 && (
              <ul class="running" aria-label="Runs under way">
                {running.map((r) => (
                  <li key={r.run_id}>
                    {r.dataset}: run {r.run_id} running since {r.started_at.replace('T', ' ').slice(0, 19)} (
                    {r.trigger}, {r.replica})
                  </li>
                ))}
              </ul>
            )}
            <table>
              <caption class="visually-hidden">Runs, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">Dataset</th>
                  <th scope="col">Status</th>
                  <th scope="col">Received</th>
                  <th scope="col">Inserted</th>
                  <th scope="col">Updated</th>
                  <th scope="col">Quarantined</th>
                  <th scope="col">Seconds</th>
                </tr>
              </thead>
              <tbody>
                {data.map((run) => (
                  <>
                    <tr key={run.run_id}>
                      <td>
                        <button
                          type="button"
                          class="link"
                          aria-expanded={open === run.run_id}
                          onClick={() => setOpen(open === run.run_id ? undefined : run.run_id)}
                        >
                          {run.started_at.replace('T', ' ').slice(0, 19)}
                        </button>
                      </td>
                      <td>{run.dataset}</td>
                      <td>{run.status}</td>
                      <td class="number">{run.received}</td>
                      <td class="number">{run.inserted}</td>
                      <td class="number">{run.updated}</td>
                      <td class="number">{run.quarantined}</td>
                      <td class="number">{seconds(run.started_at, run.ended_at).toFixed(1)}</td>
                    </tr>
                    {open === run.run_id && (
                      <tr key={`${run.run_id}-record`}>
                        <td colSpan={8}>
                          <RunRecord run={run} />
                        </td>
                      </tr>
                    )}
                  </>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Show>
    </>
  );
}
