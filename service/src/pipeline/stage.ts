import type { Column, Dataset } from '../datasets/definition.js';
import { ident, list, literal } from '../lake/quote.js';

/**
 * Stage: the payload files become the temporary table `incoming`, one row per record received:
 * `_odp_seq` (position in the payload), `_odp_raw` (the record as received, where the format has text),
 * `_odp_error` (why the record could not be parsed) and `_odp_src_<i>` (the value found for declared column i).
 * Nothing is dropped here: an unparseable record is a row with an error, to be quarantined.
 */

export const sourceColumn = (index: number): string => `_odp_src_${index}`;

function jsonPath(column: Column): string {
  return column.from ?? `$.${column.name}`;
}

function recordsPath(dataset: Dataset): string {
  return dataset.source.records ?? (dataset.source.format === 'geojson' ? '$.features[*]' : '$[*]');
}

function jsonValues(dataset: Dataset, record: string): string {
  const paths = list(dataset.columns.map(jsonPath));
  const values = `json_extract_string(${record}, ${paths})`;
  return dataset.columns.map((_, i) => `${values}[${i + 1}] AS ${sourceColumn(i)}`).join(', ');
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
           ${dataset.columns.map((_, i) => sourceColumn(i)).join(', ')}
    FROM parsed`;
}

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
           ${jsonValues(dataset, 'CASE WHEN error IS NULL THEN line END')}
    FROM parsed`;
}

/** CSV and Parquet read by column name; a declared column the file lacks reads NULL (so required ones quarantine). */
function tabularSql(dataset: Dataset, reader: string, available: ReadonlySet<string>): string {
  const values = dataset.columns.map((c, i) => {
    const name = c.from ?? c.name;
    return `${available.has(name) ? ident(name) : 'NULL'} AS ${sourceColumn(i)}`;
  });
  return `
    SELECT row_number() OVER () AS _odp_seq, NULL::VARCHAR AS _odp_raw, NULL::VARCHAR AS _odp_error, ${values.join(', ')}
    FROM ${reader}`;
}

export const CSV_REJECTS = 'odp_csv_rejects';
export const CSV_ROWS = 'odp_csv_rows';

/**
 * CSV is read in full first, every value as text and every unparseable line set aside by DuckDB's reader,
 * so that the file's header is known and a bad line cannot derail the sniffer.
 */
export function csvReadSql(files: readonly string[]): string {
  return `CREATE OR REPLACE TEMP TABLE ${CSV_ROWS} AS SELECT * FROM read_csv(${list(files)}, header = true,
    all_varchar = true, store_rejects = true, rejects_table = '${CSV_REJECTS}', rejects_scan = 'odp_csv_scans')`;
}

export function parquetReader(files: readonly string[]): string {
  return `read_parquet(${list(files)})`;
}

/** The statement that fills `incoming`. Tabular formats need the file's column names (`available`). */
export function stageSql(
  dataset: Dataset,
  files: readonly string[],
  available: ReadonlySet<string> = new Set(),
): string {
  const select = (() => {
    switch (dataset.source.format) {
      case 'json':
      case 'geojson':
        return jsonDocumentSql(dataset, files);
      case 'ndjson':
        return ndjsonSql(dataset, files);
      case 'csv':
        return tabularSql(dataset, CSV_ROWS, available);
      case 'parquet':
        return tabularSql(dataset, parquetReader(files), available);
    }
  })();
  // A Parquet file is already typed and columnar: reading it in place saves a copy of the whole batch.
  const kind = dataset.source.format === 'parquet' ? 'VIEW' : 'TABLE';
  return `CREATE OR REPLACE TEMP ${kind} incoming AS ${select}`;
}

/** CSV lines DuckDB could not parse, appended to `incoming` with the reader's own reason. */
export function csvRejectsSql(dataset: Dataset): string {
  const nulls = dataset.columns.map(() => 'NULL').join(', ');
  return `
    INSERT INTO incoming
    SELECT (SELECT coalesce(max(_odp_seq), 0) FROM incoming) + row_number() OVER (ORDER BY file_id, line),
           csv_line, format('line {}: {}', line, error_message), ${nulls}
    FROM ${CSV_REJECTS}`;
}
