import { type Answer, call, type Session } from '../api.js';
import { Show, useLoad } from '../load.js';
import { ago, freshness } from '../time.js';

/** Every dataset at a glance: is it fresh, how big, what was set aside. */
export function DatasetsPage({ session }: { session: Session }) {
  const [loaded] = useLoad(() => call<Answer<'/v1/datasets'>>(session.key, '/v1/datasets'), [session.key]);
  return (
    <>
      <h1>Datasets</h1>
      <Show loaded={loaded}>
        {({ data }) => (
          <div class="scroll">
            <table>
              <caption class="visually-hidden">Datasets, their size, last run and freshness</caption>
              <thead>
                <tr>
                  <th scope="col">Dataset</th>
                  <th scope="col">Records</th>
                  <th scope="col">Last run</th>
                  <th scope="col">Freshness</th>
                  <th scope="col">Quarantined</th>
                </tr>
              </thead>
              <tbody>
                {data.map((d) => {
                  const state = freshness(d);
                  return (
                    <tr key={d.name}>
                      <td>
                        <a href={`#/datasets/${encodeURIComponent(d.name)}`}>{d.name}</a>
                        {d.description && <div class="muted">{d.description}</div>}
                      </td>
                      <td class="number">{d.rows.toLocaleString('en')}</td>
                      <td>
                        {d.lastRun ? (
                          <>
                            {d.lastRun.status},{' '}
                            <time dateTime={d.lastRun.ended_at}>{ago(d.lastRun.ended_at)}</time>
                          </>
                        ) : (
                          '—'
                        )}
                        <div class="muted">schedule {d.schedule}</div>
                      </td>
                      <td>
                        <span class={`badge ${state.replace(' ', '-')}`}>{state}</span>
                      </td>
                      <td class="number">
                        {d.quarantined > 0 ? (
                          <a href={`#/quarantine?dataset=${encodeURIComponent(d.name)}`}>{d.quarantined}</a>
                        ) : (
                          0
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Show>
    </>
  );
}
