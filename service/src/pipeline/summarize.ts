import type { DuckDBConnection } from '@duckdb/node-api';
import type { LanguageModelSettings } from '../config/config.js';
import type { Dataset } from '../datasets/definition.js';
import { messageOf } from '../errors.js';
import { loadFailures, loadSummaries, storeFailures, storeSummaries } from '../journal/summaries.js';
import { rows, type Statement } from '../lake/query.js';
import { ident } from '../lake/quote.js';
import { chatModel } from './chatModel.js';
import { keyMatchSql } from './identity.js';

/** What summarising a batch leaves for the commit: its new summaries, and notes on what it could not do. */
export interface Summarised {
  /** Statements that store the new summaries (and fill stored records' empty ones); they commit with the batch. */
  statements: Statement[];
  notes: string[];
}

/** The dataset's stored table and its columns, when it has one: where empty summaries of earlier runs are found. */
export interface StoredRecords {
  table: string;
  columns: ReadonlySet<string>;
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

type Summary = Extract<Dataset['enrich'][number], { kind: 'summary' }>;

/**
 * Fills the summary enrichments of `enriched`: a text summarised before (by its hash, in the journal) takes that
 * summary; a new one is sent to the model. A text the model could not summarise leaves the column empty, with
 * the reason in the run's notes; its record is stored all the same. Later runs try it again — also when its record
 * does not come back changed, by the stored records whose summary is empty — until it has failed in
 * `giveUpAfter` runs; the run that gives up says so.
 */
export async function summarize(
  connection: DuckDBConnection,
  dataset: Dataset,
  runId: string,
  settings: LanguageModelSettings | undefined,
  stored: StoredRecords | undefined,
): Promise<Summarised> {
  const summaries = dataset.enrich.flatMap((e) => ('kind' in e ? [e] : []));
  if (summaries.length === 0) return { statements: [], notes: [] };
  await connection.run('CREATE OR REPLACE TEMP TABLE odp_enriched_base AS SELECT * FROM enriched');
  const statements: Statement[] = [];
  const notes: string[] = [];
  const joins: string[] = [];
  const replaced: string[] = [];
  for (const [i, e] of summaries.entries()) {
    const owner = { dataset: dataset.name, enrichment: e.name };
    const known = `odp_summaries_cached_${i}`;
    const failures = `odp_summary_failures_${i}`;
    const fresh = `odp_summaries_${i}`;
    const failed = `odp_summaries_failed_${i}`;
    await loadSummaries(connection, owner, known);
    await loadFailures(connection, owner, failures);
    const table = stored?.columns.has(e.name) && stored.columns.has(e.of) ? stored.table : undefined;
    const holes = table
      ? await findHoles(connection, dataset, e, table, `odp_summary_holes_${i}`)
      : undefined;
    const pending = await textsToAsk(connection, e, known, failures, holes, settings);
    await connection.run(`CREATE OR REPLACE TEMP TABLE ${fresh} (text_hash VARCHAR, summary VARCHAR)`);
    await connection.run(`CREATE OR REPLACE TEMP TABLE ${failed} (text_hash VARCHAR, error VARCHAR)`);
    if (pending.length > 0 && !settings) {
      notes.push(
        `${e.name}: ${pending.length} text(s) not summarised: no language model is configured (ODP_LLM_URL)`,
      );
    } else if (pending.length > 0 && settings) {
      const ask = await chatModel(settings);
      const answers = await inPool(pending, settings.concurrency, (p) =>
        ask(e.instructions, p.text).then(
          (summary) => ({ ...p, summary, error: undefined }),
          (error: unknown) => ({ ...p, summary: undefined, error: messageOf(error) }),
        ),
      );
      const done = answers.filter((a) => a.summary !== undefined);
      await connection.run(
        `INSERT INTO ${fresh} SELECT unnest(?::JSON::VARCHAR[]), unnest(?::JSON::VARCHAR[])`,
        [JSON.stringify(done.map((a) => a.hash)), JSON.stringify(done.map((a) => a.summary))],
      );
      const unanswered = answers.filter((a) => a.error !== undefined);
      await connection.run(
        `INSERT INTO ${failed} SELECT unnest(?::JSON::VARCHAR[]), unnest(?::JSON::VARCHAR[])`,
        [JSON.stringify(unanswered.map((a) => a.hash)), JSON.stringify(unanswered.map((a) => a.error))],
      );
      if (unanswered.length > 0) {
        const reasons = [...new Set(unanswered.map((f) => f.error))].join('; ');
        notes.push(`${e.name}: ${unanswered.length} of ${pending.length} text(s) not summarised: ${reasons}`);
        const last = unanswered.filter((a) => a.failures + 1 >= settings.giveUpAfter).length;
        if (last > 0)
          notes.push(
            `${e.name}: ${last} text(s) given up: ${settings.giveUpAfter} run(s) could not summarise them (ODP_LLM_GIVE_UP_AFTER); their records keep an empty summary`,
          );
      }
      if (done.length > 0) statements.push(storeSummaries(owner, fresh, { model: settings.model, runId }));
      if (unanswered.length > 0) statements.push(storeFailures(owner, failed, runId));
    }
    const answered = `(SELECT text_hash, any_value(summary) AS summary
                       FROM (SELECT * FROM ${fresh} UNION ALL SELECT * FROM ${known}) GROUP BY text_hash)`;
    if (table && holes) {
      const filled = await fillEmpty(connection, dataset, e, table, holes, answered);
      if (filled) {
        statements.push(filled.statement);
        notes.push(`${e.name}: filled the empty summary of ${filled.records} stored record(s)`);
      }
    }
    joins.push(`LEFT JOIN ${answered} s${i} ON s${i}.text_hash = md5(b.${ident(e.of)}::VARCHAR)`);
    replaced.push(`s${i}.summary AS ${ident(e.name)}`);
  }
  await connection.run(
    `CREATE OR REPLACE TEMP VIEW enriched AS SELECT b.* REPLACE (${replaced.join(', ')}) FROM odp_enriched_base b ${joins.join(' ')}`,
  );
  return { statements, notes };
}

/**
 * Copies the stored records whose summary is empty (and whose record the batch does not bring again) into temp
 * table `into` (`text_hash`, `text`): one scan of the stored table, read both for the texts to ask and for the
 * records to fill. Returns `into`.
 */
async function findHoles(
  connection: DuckDBConnection,
  dataset: Dataset,
  e: Summary,
  table: string,
  into: string,
): Promise<string> {
  const text = `CAST(t.${ident(e.of)} AS VARCHAR)`;
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE ${into} AS
     SELECT md5(${text}) AS text_hash, ${text} AS text FROM ${table} t
     WHERE t.${ident(e.name)} IS NULL AND t.${ident(e.of)} IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM odp_enriched_base b WHERE ${keyMatchSql(dataset, 'b', 't')})`,
  );
  return into;
}

/**
 * The texts to send to the model: the batch's texts and those of the stored records in `holes`, each once,
 * leaving out texts already summarised and those given up; with how many runs have failed each.
 */
async function textsToAsk(
  connection: DuckDBConnection,
  e: Summary,
  known: string,
  failures: string,
  holes: string | undefined,
  settings: LanguageModelSettings | undefined,
): Promise<{ hash: string; text: string; failures: number }[]> {
  const text = `CAST(b.${ident(e.of)} AS VARCHAR)`;
  const empty = holes ? `UNION ALL SELECT text_hash, text FROM ${holes}` : '';
  const limit = settings?.giveUpAfter ?? Number.MAX_SAFE_INTEGER;
  const wanted = await rows<{ hash: string; text: string; failures: number }>(
    connection,
    `SELECT w.hash, any_value(w.text) AS text, coalesce(any_value(f.failures), 0)::INTEGER AS failures
     FROM (SELECT md5(${text}) AS hash, ${text} AS text FROM odp_enriched_base b
           WHERE b.${ident(e.of)} IS NOT NULL ${empty}) w
     LEFT JOIN ${failures} f ON f.text_hash = w.hash
     WHERE w.hash NOT IN (SELECT text_hash FROM ${known})
     GROUP BY w.hash ORDER BY w.hash`,
  );
  // A text given up was said so by the run that gave up; later runs skip it quietly.
  return wanted.filter((w) => w.failures < limit);
}

/**
 * The statement that fills stored records' empty summaries (counted from `holes`) from `answered` (the summaries
 * known now), and how many records it fills; undefined when there are none.
 */
async function fillEmpty(
  connection: DuckDBConnection,
  dataset: Dataset,
  e: Summary,
  table: string,
  holes: string,
  answered: string,
): Promise<{ statement: Statement; records: number } | undefined> {
  const [count] = await rows<{ n: number }>(
    connection,
    `SELECT count(*)::INTEGER AS n FROM ${holes} h JOIN ${answered} s ON s.text_hash = h.text_hash`,
  );
  const where = `t.${ident(e.name)} IS NULL AND t.${ident(e.of)} IS NOT NULL
    AND s.text_hash = md5(CAST(t.${ident(e.of)} AS VARCHAR))
    AND NOT EXISTS (SELECT 1 FROM odp_enriched_base b WHERE ${keyMatchSql(dataset, 'b', 't')})`;
  if (!count?.n) return undefined;
  return {
    records: count.n,
    statement: {
      sql: `UPDATE ${table} AS t SET ${ident(e.name)} = s.summary FROM ${answered} AS s WHERE ${where}`,
      params: [],
    },
  };
}
