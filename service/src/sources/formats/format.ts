import type { DuckDBConnection } from '@duckdb/node-api';
import type { Column, Dataset } from '../../datasets/definition.js';
import { duckdbJsonPath } from '../../datasets/jsonPath.js';
import { rows } from '../../lake/query.js';
import { ident, list } from '../../lake/quote.js';

/**
 * How one payload format is read. `stage` turns the payload files into the temporary table `incoming`, one row
 * per record received: `_odp_seq` (position in the payload), `_odp_raw` (the record as received, where the format
 * has text), `_odp_error` (why the record could not be parsed) and `_odp_src_<i>` (the value found for declared
 * column i). Nothing is dropped here: an unparseable record is a row with an error, to be quarantined.
 */
export interface SourceFormat {
  /** The file extension its raw increments are stored under. */
  extension: string;
  stage(connection: DuckDBConnection, dataset: Dataset, files: readonly string[]): Promise<void>;
}

/**
 * Where in the payload a record was (`line 12`, `row 5`, `page 3, record 7`), staged by the formats that know it; a
 * quarantined record's reason starts with it.
 */
export const ORIGIN = '_odp_origin';

/** The staged origin of each record (a CSV line, a page and a position), where its format stages one. */
export const originSql = (dataset: Dataset): string =>
  dataset.source.pages || ['csv', 'xlsx'].includes(dataset.source.format) ? ORIGIN : 'NULL::VARCHAR';

export const sourceColumn = (index: number): string => `_odp_src_${index}`;

/**
 * The declared columns staged as text, by index, to be read by their declared separators and patterns; a typed
 * reader (Parquet; CSV's, where it can) staged the others already parsed.
 */
export type StagedText = ReadonlySet<number>;

export async function stagedAsText(connection: DuckDBConnection, dataset: Dataset): Promise<StagedText> {
  const described = await rows<{ column_name: string; column_type: string }>(connection, 'DESCRIBE incoming');
  const text = new Set(described.filter((d) => d.column_type === 'VARCHAR').map((d) => d.column_name));
  return new Set(dataset.columns.flatMap((_, i) => (text.has(sourceColumn(i)) ? [i] : [])));
}

/** The declared columns' values of a JSON record, as `_odp_src_<i>` text columns. */
export function jsonValues(dataset: Dataset, record: string): string {
  const paths = list(dataset.columns.map(jsonPath));
  const values = `json_extract_string(${record}, ${paths})`;
  return dataset.columns.map((_, i) => `${values}[${i + 1}] AS ${sourceColumn(i)}`).join(', ');
}

function jsonPath(column: Column): string {
  return column.from === undefined ? `$.${column.name}` : duckdbJsonPath(column.from);
}

/**
 * Tabular formats are read by column name; a declared column the file lacks reads NULL (so required ones
 * quarantine). `seq` numbers the records in payload order (a reader's own row numbers are cheaper than a window).
 */
export function tabularSql(
  dataset: Dataset,
  reader: string,
  available: ReadonlySet<string>,
  seq = 'row_number() OVER ()',
): string {
  const values = dataset.columns.map((c, i) => {
    const name = c.from ?? c.name;
    return `${available.has(name) ? ident(name) : 'NULL'} AS ${sourceColumn(i)}`;
  });
  return `
    SELECT ${seq} AS _odp_seq, NULL::VARCHAR AS _odp_raw, NULL::VARCHAR AS _odp_error, ${values.join(', ')}
    FROM ${reader}`;
}
