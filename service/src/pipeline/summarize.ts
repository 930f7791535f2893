import type { DuckDBConnection } from '@duckdb/node-api';
import type { LanguageModelSettings } from '../config/config.js';
import type { Dataset } from '../datasets/definition.js';
import { messageOf } from '../errors.js';
import { loadSummaries, storeSummaries } from '../journal/summaries.js';
import { rows, type Statement } from '../lake/query.js';
import { ident } from '../lake/quote.js';
import { chatModel } from './chatModel.js';

/** What summarising a batch leaves for the commit: its new summaries, and notes on what it could not do. */
export interface Summarised {
  /** Statements that store the new summaries; they commit with the batch. */
  statements: Statement[];
  notes: string[];
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

/**
 * Fills the summary enrichments of `enriched`: a text summarised before (by its hash, in the journal) takes that
 * summary; a new one is sent to the model. A text the model could not summarise leaves the column empty, with
 * the reason in the run's notes; its record is stored all the same (and the text is tried again next run).
 */
export async function summarize(
  connection: DuckDBConnection,
  dataset: Dataset,
  runId: string,
  settings: LanguageModelSettings | undefined,
): Promise<Summarised> {
  const summaries = dataset.enrich.flatMap((e) => ('kind' in e ? [e] : []));
  if (summaries.length === 0) return { statements: [], notes: [] };
  await connection.run('CREATE OR REPLACE TEMP TABLE odp_enriched_base AS SELECT * FROM enriched');
  const statements: Statement[] = [];
  const notes: string[] = [];
  const joins: string[] = [];
  const replaced: string[] = [];
  for (const [i, e] of summaries.entries()) {
    const text = `CAST(${ident(e.of)} AS VARCHAR)`;
    const owner = { dataset: dataset.name, enrichment: e.name };
    const cached = `odp_summaries_cached_${i}`;
    await loadSummaries(connection, owner, cached);
    const pending = await rows<{ hash: string; text: string }>(
      connection,
      `SELECT DISTINCT md5(${text}) AS hash, ${text} AS text FROM odp_enriched_base
       WHERE ${ident(e.of)} IS NOT NULL AND md5(${text}) NOT IN (SELECT text_hash FROM ${cached})`,
    );
    const fresh = `odp_summaries_${i}`;
    await connection.run(`CREATE OR REPLACE TEMP TABLE ${fresh} (text_hash VARCHAR, summary VARCHAR)`);
    if (pending.length > 0 && !settings) {
      notes.push(
        `${e.name}: ${pending.length} text(s) not summarised: no language model is configured (ODP_LLM_URL)`,
      );
    } else if (pending.length > 0 && settings) {
      const ask = await chatModel(settings);
      const answers = await inPool(pending, settings.concurrency, (p) =>
        ask(e.instructions, p.text).then(
          (summary) => ({ hash: p.hash, summary, error: undefined }),
          (error: unknown) => ({ hash: p.hash, summary: undefined, error: messageOf(error) }),
        ),
      );
      const done = answers.filter((a) => a.summary !== undefined);
      await connection.run(
        `INSERT INTO ${fresh} SELECT unnest(?::JSON::VARCHAR[]), unnest(?::JSON::VARCHAR[])`,
        [JSON.stringify(done.map((a) => a.hash)), JSON.stringify(done.map((a) => a.summary))],
      );
      const failed = answers.filter((a) => a.error !== undefined);
      if (failed.length > 0) {
        const reasons = [...new Set(failed.map((f) => f.error))].join('; ');
        notes.push(`${e.name}: ${failed.length} of ${pending.length} text(s) not summarised: ${reasons}`);
      }
      statements.push(storeSummaries(owner, fresh, { model: settings.model, runId }));
    }
    joins.push(
      `LEFT JOIN (SELECT text_hash, any_value(summary) AS summary
                  FROM (SELECT * FROM ${fresh} UNION ALL SELECT * FROM ${cached}) GROUP BY text_hash) s${i}
         ON s${i}.text_hash = md5(b.${ident(e.of)}::VARCHAR)`,
    );
    replaced.push(`s${i}.summary AS ${ident(e.name)}`);
  }
  await connection.run(
    `CREATE OR REPLACE TEMP VIEW enriched AS SELECT b.* REPLACE (${replaced.join(', ')}) FROM odp_enriched_base b ${joins.join(' ')}`,
  );
  return { statements, notes };
}
