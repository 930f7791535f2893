import type { Dataset } from '../../datasets/definition.js';
import { list } from '../../lake/quote.js';
import { jsonValues, ORIGIN, type SourceFormat } from './format.js';

/** NDJSON: one record per line; blank lines are not records. */
function ndjsonSql(dataset: Dataset, files: readonly string[]): string {
  return `
    WITH docs AS (
      SELECT row_number() OVER (ORDER BY filename) AS doc_no, string_split(content, chr(10)) AS lines
      FROM read_text(${list(files)})
    ),
    lines AS (
      SELECT doc_no, rtrim(unnest(lines), chr(13)) AS line, generate_subscripts(lines, 1) AS line_no FROM docs
    ),
    parsed AS (
      SELECT doc_no, line_no, line,
             CASE WHEN NOT json_valid(line) THEN format('line {}: not valid JSON', line_no)
                  WHEN json_type(line) <> 'OBJECT' THEN format('line {}: not a JSON object', line_no) END AS error
      FROM lines WHERE trim(line) <> ''
    )
    SELECT row_number() OVER (ORDER BY doc_no, line_no) AS _odp_seq, line AS _odp_raw, error AS _odp_error,
           ${jsonValues(dataset, 'CASE WHEN error IS NULL THEN line END')}${
             dataset.source.pages ? `, format('page {}, line {}', doc_no, line_no) AS ${ORIGIN}` : ''
           }
    FROM parsed`;
}

export const ndjson: SourceFormat = {
  extension: 'ndjson',
  stage: async (connection, dataset, files) => {
    await connection.run(`CREATE OR REPLACE TEMP TABLE incoming AS ${ndjsonSql(dataset, files)}`);
  },
};
