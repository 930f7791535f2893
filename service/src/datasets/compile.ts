import { DuckDBInstance } from '@duckdb/node-api';
import { messageOf } from '../errors.js';
import { ident, literal } from '../lake/quote.js';
import { type Dataset, JSON_RECORD_FORMATS } from './definition.js';
import { duckdbJsonPath } from './jsonPath.js';

/** A problem a definition's SQL or paths have, by the field that holds them. */
export interface DefinitionProblem {
  path: (string | number)[];
  message: string;
}

/** DuckDB's first line, without the "Binder Error:" kind, is the reason a person can act on. */
const reason = (error: unknown) =>
  messageOf(error)
    .split('\n')[0]!
    .replace(/^[A-Za-z ]+ Error: /, '');

/**
 * Compiles what a definition hands the engine — JSON paths, rules, enrichments — against its declared columns,
 * so a mistake stops the service at start, naming the field, instead of failing every run. Nothing is read:
 * each expression is bound over an empty relation of the declared types.
 */
export async function definitionProblems(dataset: Omit<Dataset, 'file'>): Promise<DefinitionProblem[]> {
  const problems: DefinitionProblem[] = [];
  const json = JSON_RECORD_FORMATS.includes(dataset.source.format);
  const paths: [DefinitionProblem['path'], string][] = [
    ...(dataset.source.records
      ? [[['source', 'records'], dataset.source.records] as [DefinitionProblem['path'], string]]
      : []),
    ...(['next', 'cursor', 'more'] as const).flatMap((field) => {
      const value = (dataset.source.pages as Record<string, unknown> | undefined)?.[field];
      return typeof value === 'string'
        ? [[['source', 'pages', field], value] as [DefinitionProblem['path'], string]]
        : [];
    }),
    ...(json
      ? dataset.columns.flatMap((c, i) =>
          c.from === undefined
            ? []
            : [[['columns', i, 'from'], c.from] as [DefinitionProblem['path'], string]],
        )
      : []),
  ];
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    for (const [path, text] of paths) {
      try {
        await connection.run(`SELECT json_extract_string('{}', ${literal(duckdbJsonPath(text))})`);
      } catch (error) {
        problems.push({ path, message: `${text} is not a JSON path DuckDB can read: ${reason(error)}` });
      }
    }
    const typed = `(SELECT ${dataset.columns.map((c) => `NULL::${c.type} AS ${ident(c.name)}`).join(', ')})`;
    const check = async (path: DefinitionProblem['path'], select: string) => {
      await connection.run(`EXPLAIN SELECT ${select} FROM ${typed}`).catch((error: unknown) => {
        problems.push({ path, message: reason(error) });
      });
    };
    for (const [i, rule] of dataset.rules.entries())
      await check(['rules', i, 'check'], `(${rule.check})::BOOLEAN`);
    // Enrichments are evaluated in order, each seeing the ones before it.
    const earlier: string[] = [];
    for (const [i, e] of dataset.enrich.entries()) {
      if (!('expr' in e)) {
        // A summary is written outside the engine; what it reads is checked with the definition's shape.
        earlier.push(`NULL::VARCHAR AS ${ident(e.name)}`);
        continue;
      }
      const value = `${e.type ? `CAST((${e.expr}) AS ${e.type})` : `(${e.expr})`} AS ${ident(e.name)}`;
      await check(['enrich', i, 'expr'], [...earlier, value].join(', '));
      earlier.push(value);
    }
  } finally {
    connection.closeSync();
    db.closeSync();
  }
  return problems;
}
