import { useMemo, useState } from 'preact/hooks';
import {
  type Answer,
  call,
  type Dataset,
  download,
  type Row,
  type Run,
  type Session,
  type Snapshot,
} from '../api.js';
import { type Series, TimeChart } from '../chart.js';
import { Show, useLoad } from '../load.js';
import { seconds } from '../time.js';

const OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike'] as const;
interface Filter {
  column: string;
  op: (typeof OPERATORS)[number];
  value: string;
}
const PAGE = 25;

function RunsOverTime({ runs }: { runs: Run[] }) {
  const ordered = useMemo(() => [...runs].reverse(), [runs]);
  const times = ordered.map((r) => Date.parse(r.started_at) / 1000);
  const counts: Series[] = useMemo(
    () => [
      { label: 'received', color: '#1f4e99', values: ordered.map((r) => r.received) },
      { label: 'inserted', color: '#2b7a0b', values: ordered.map((r) => r.inserted) },
      { label: 'updated', color: '#a05a00', values: ordered.map((r) => r.updated) },
      { label: 'unchanged', color: '#5c5c5c', values: ordered.map((r) => r.unchanged) },
      { label: 'quarantined', color: '#b00020', values: ordered.map((r) => r.quarantined) },
    ],
    [ordered],
  );
  const durations: Series[] = useMemo(
    () => [
      { label: 'seconds', color: '#1f4e99', values: ordered.map((r) => seconds(r.started_at, r.ended_at)) },
    ],
    [ordered],
  );
  if (!runs.length) return <p>No runs yet.</p>;
  return (
    <>
      <TimeChart title="Records per run" times={times} series={counts} />
      <TimeChart title="Run duration (s)" times={times} series={durations} />
      <details>
        <summary>The runs as a table</summary>
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Started</th>
                {counts.map((s) => (
                  <th scope="col" key={s.label}>
                    {s.label}
                  </th>
                ))}
                <th scope="col">seconds</th>
              </tr>
            </thead>
            <tbody>
              {ordered.map((r) => (
                <tr key={r.run_id}>
                  <td>{r.started_at}</td>
                  <td class="number">{r.received}</td>
                  <td class="number">{r.inserted}</td>
                  <td class="number">{r.updated}</td>
                  <td class="number">{r.unchanged}</td>
                  <td class="number">{r.quarantined}</td>
                  <td class="number">{seconds(r.started_at, r.ended_at).toFixed(1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}

function Changes({
  session,
  dataset,
  snapshots,
}: {
  session: Session;
  dataset: string;
  snapshots: Snapshot[];
}) {
  // The changes of the latest run that changed the dataset.
  const latest = snapshots[0]?.snapshot_id;
  const [changes] = useLoad(
    () =>
      latest === undefined
        ? Promise.resolve({ data: [] as Row[] })
        : call<{ data: Row[] }>(
            session.key,
            `/v1/datasets/${encodeURIComponent(dataset)}/changes?from=${latest}&limit=20`,
          ),
    [session.key, dataset, latest],
  );
  return (
    <Show loaded={changes}>
      {({ data }) =>
        data.length === 0 ? (
          <p>No changes in the latest snapshot.</p>
        ) : (
          <RecordsTable rows={data} caption={`Changes of snapshot ${latest} (first 20)`} kind="changes" />
        )
      }
    </Show>
  );
}

function RecordsTable({ rows, caption, kind }: { rows: Row[]; caption: string; kind: 'page' | 'changes' }) {
  const columns = Object.keys(rows[0] ?? {});
  return (
    <div class="scroll">
      <table class={`records ${kind}`}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              {columns.map((c) => (
                <td key={c}>{row[c] === null ? '—' : String(row[c])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Records({
  session,
  dataset,
  snapshots,
}: {
  session: Session;
  dataset: Dataset;
  snapshots: Snapshot[];
}) {
  const [filters, setFilters] = useState<Filter[]>([]);
  const [draft, setDraft] = useState<Filter>({ column: dataset.columns[0]?.name ?? '', op: 'eq', value: '' });
  const [order, setOrder] = useState('');
  const [asOf, setAsOf] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const [failure, setFailure] = useState('');
  const query = new URLSearchParams();
  for (const f of filters) query.append(f.column, `${f.op}.${f.value}`);
  if (order) query.set('order', order);
  if (asOf) query.set('asOf', asOf);
  const base = `/v1/datasets/${encodeURIComponent(dataset.name)}/records`;
  const cursor = cursors.at(-1);
  const pageQuery = new URLSearchParams(query);
  pageQuery.set('limit', String(PAGE));
  if (cursor) pageQuery.set('cursor', cursor);
  const [page] = useLoad(
    () => call<{ data: Row[]; next: string | null; snapshot: number }>(session.key, `${base}?${pageQuery}`),
    [session.key, pageQuery.toString()],
  );
  const restart = (change: () => void) => {
    change();
    setCursors([]);
  };
  const exportAs = (format: 'csv' | 'ndjson' | 'parquet') => {
    const q = new URLSearchParams(query);
    q.set('format', format);
    setFailure('');
    download(session.key, `${base}?${q}`, `${dataset.name}.${format}`).catch((e: unknown) =>
      setFailure(e instanceof Error ? e.message : String(e)),
    );
  };
  return (
    <>
      <form
        class="filters"
        aria-label="Filter records"
        onSubmit={(e) => {
          e.preventDefault();
          if (draft.value !== '') restart(() => setFilters([...filters, draft]));
        }}
      >
        <label>
          Column{' '}
          <select
            value={draft.column}
            onChange={(e) => setDraft({ ...draft, column: (e.target as HTMLSelectElement).value })}
          >
            {dataset.columns.map((c) => (
              <option key={c.name}>{c.name}</option>
            ))}
          </select>
        </label>
        <label>
          Operator{' '}
          <select
            value={draft.op}
            onChange={(e) =>
              setDraft({ ...draft, op: (e.target as HTMLSelectElement).value as Filter['op'] })
            }
          >
            {OPERATORS.map((op) => (
              <option key={op}>{op}</option>
            ))}
          </select>
        </label>
        <label>
          Value{' '}
          <input
            value={draft.value}
            onInput={(e) => setDraft({ ...draft, value: (e.target as HTMLInputElement).value })}
          />
        </label>
        <button type="submit">Add filter</button>
        <label>
          Sort{' '}
          <select
            value={order}
            onChange={(e) => restart(() => setOrder((e.target as HTMLSelectElement).value))}
          >
            <option value="">key</option>
            {dataset.columns.flatMap((c) => [
              <option key={`${c.name}.asc`} value={`${c.name}.asc`}>
                {c.name} ascending
              </option>,
              <option key={`${c.name}.desc`} value={`${c.name}.desc`}>
                {c.name} descending
              </option>,
            ])}
          </select>
        </label>
        <label>
          As of{' '}
          <select
            value={asOf}
            onChange={(e) => restart(() => setAsOf((e.target as HTMLSelectElement).value))}
          >
            <option value="">now</option>
            {snapshots.map((s) => (
              <option key={s.snapshot_id} value={String(s.snapshot_id)}>
                snapshot {s.snapshot_id} ({s.snapshot_time.replace('T', ' ').slice(0, 19)})
              </option>
            ))}
          </select>
        </label>
      </form>
      {filters.length > 0 && (
        <ul class="chips" aria-label="Filters in use">
          {filters.map((f, i) => (
            <li key={`${f.column}${f.op}${f.value}`}>
              {f.column} {f.op} {f.value}{' '}
              <button
                type="button"
                aria-label={`Remove filter ${f.column} ${f.op} ${f.value}`}
                onClick={() => restart(() => setFilters(filters.filter((_, j) => j !== i)))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <p class="exports">
        Export these records:{' '}
        <button type="button" onClick={() => exportAs('csv')}>
          CSV
        </button>{' '}
        <button type="button" onClick={() => exportAs('ndjson')}>
          NDJSON
        </button>{' '}
        <button type="button" onClick={() => exportAs('parquet')}>
          Parquet
        </button>
      </p>
      {failure && (
        <p class="error" role="alert">
          {failure}
        </p>
      )}
      <Show loaded={page}>
        {({ data, next, snapshot }) => (
          <>
            {data.length ? (
              <RecordsTable
                rows={data}
                caption={`Page ${cursors.length + 1} at snapshot ${snapshot}`}
                kind="page"
              />
            ) : (
              <p>No records match.</p>
            )}
            <nav class="pager" aria-label="Pages">
              <button type="button" disabled={cursors.length === 0} onClick={() => setCursors([])}>
                First page
              </button>
              <button type="button" disabled={!next} onClick={() => next && setCursors([...cursors, next])}>
                Next page
              </button>
            </nav>
          </>
        )}
      </Show>
    </>
  );
}

/** One dataset: its schema, how its runs went over time, what changed last, and its records. */
export function DatasetPage({ session, name }: { session: Session; name: string }) {
  const path = encodeURIComponent(name);
  const [loaded] = useLoad(async () => {
    const [dataset, runs, snapshots] = await Promise.all([
      call<Dataset>(session.key, `/v1/datasets/${path}`),
      call<Answer<'/v1/runs'>>(session.key, `/v1/runs?dataset=${path}&limit=50`),
      call<Answer<'/v1/datasets/{name}/snapshots'>>(session.key, `/v1/datasets/${path}/snapshots?limit=50`),
    ]);
    return { dataset, runs: runs.data, snapshots: snapshots.data };
  }, [session.key, name]);
  return (
    <Show loaded={loaded}>
      {({ dataset, runs, snapshots }) => (
        <>
          <h1>{dataset.name}</h1>
          {dataset.description && <p>{dataset.description}</p>}
          <p class="muted">
            {dataset.rows.toLocaleString('en')} records · key {dataset.key.join(', ')} · schedule{' '}
            {dataset.schedule} · <a href={`#/runs?dataset=${path}`}>all runs</a> ·{' '}
            <a href={`#/quarantine?dataset=${path}`}>quarantine ({dataset.quarantined})</a>
          </p>
          <section aria-labelledby="runs-heading">
            <h2 id="runs-heading">Runs over time</h2>
            <RunsOverTime runs={runs} />
          </section>
          <section aria-labelledby="records-heading">
            <h2 id="records-heading">Records</h2>
            <Records session={session} dataset={dataset} snapshots={snapshots} />
          </section>
          <section aria-labelledby="changes-heading">
            <h2 id="changes-heading">Latest changes</h2>
            <Changes session={session} dataset={dataset.name} snapshots={snapshots} />
          </section>
          <section aria-labelledby="schema-heading">
            <h2 id="schema-heading">Schema</h2>
            <div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Column</th>
                    <th scope="col">Type</th>
                    <th scope="col">Nullable</th>
                    <th scope="col">Description</th>
                  </tr>
                </thead>
                <tbody>
                  {dataset.columns.map((c) => (
                    <tr key={c.name}>
                      <td>
                        <code>{c.name}</code>
                      </td>
                      <td>{c.type}</td>
                      <td>{c.nullable ? 'yes' : 'no'}</td>
                      <td>{c.description ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </Show>
  );
}
