import type { Dataset } from '../../datasets/definition.js';
import { duckdbJsonPath } from '../../datasets/jsonPath.js';
import { list, literal } from '../../lake/quote.js';
import { jsonValues, ORIGIN, type SourceFormat, sourceColumn } from './format.js';

function recordsPath(dataset: Dataset): string {
  return duckdbJsonPath(
    dataset.source.records ?? (dataset.source.format === 'geojson' ? '$.features[*]' : '$[*]'),
  );
}

/** JSON and GeoJSON: each file is one document holding an array of records. */
function jsonDocumentSql(dataset: Dataset, files: readonly string[]): string {
  const records = recordsPath(dataset);
  const container = records.replace(/\[\*\]$/, '');
  const nulls = dataset.columns.map((_, i) => `NULL::VARCHAR AS ${sourceColumn(i)}`).join(', ');
  return `
    WITH docs AS (
      SELECT row_number() OVER (ORDER BY filename) AS doc_no, content, json_valid(content) AS valid
      FROM read_text(${list(files)})
    ),
    arrays AS (
      SELECT doc_no, json_extract(content, ${literal(records)}) AS recs
      FROM docs WHERE valid AND json_type(content, ${literal(container)}) = 'ARRAY'
    ),
    records AS (
      SELECT doc_no, unnest(recs) AS rec, generate_subscripts(recs, 1) AS i FROM arrays
    ),
    parsed AS (
      SELECT doc_no, i, rec::VARCHAR AS raw,
             CASE WHEN json_type(rec) <> 'OBJECT' THEN format('record {} is not a JSON object', i) END AS error,
             ${jsonValues(dataset, 'rec')}
      FROM records
      UNION ALL
      SELECT doc_no, 0, content,
             CASE WHEN NOT valid THEN 'the payload is not valid JSON'
                  ELSE ${literal(`the payload has no array of records at ${container}`)} END,
             ${nulls}
      FROM docs WHERE doc_no NOT IN (SELECT doc_no FROM arrays)
    )
    SELECT row_number() OVER (ORDER BY doc_no, i) AS _odp_seq, raw AS _odp_raw, error AS _odp_error,
           ${dataset.columns.map((_, i) => sourceColumn(i)).join(', ')}${
             dataset.source.pages
               ? `, CASE WHEN i = 0 THEN format('page {}', doc_no) ELSE format('page {}, record {}', doc_no, i) END AS ${ORIGIN}`
               : ''
           }
    FROM parsed`;
}

const stage: SourceFormat['stage'] = async (connection, dataset, files) => {
  await connection.run(`CREATE OR REPLACE TEMP TABLE incoming AS ${jsonDocumentSql(dataset, files)}`);
};

export const json: SourceFormat = { extension: 'json', stage };
export const geojson: SourceFormat = { extension: 'geojson', stage };
