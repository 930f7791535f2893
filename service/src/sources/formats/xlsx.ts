import type { DuckDBConnection } from '@duckdb/node-api';
import type { Dataset } from '../../datasets/definition.js';
import { sheetIn, workbookSheets } from '../../datasets/workbook.js';
import { rows } from '../../lake/query.js';
import { ident, literal } from '../../lake/quote.js';
import { ORIGIN, type SourceFormat, tabularSql } from './format.js';

const ROWS = 'odp_xlsx_rows';

/** Excel's column letters for a 1-based column number: 1 → A, 28 → AB. */
function columnLetters(n: number): string {
  let out = '';
  for (let rest = n; rest > 0; rest = Math.floor((rest - 1) / 26))
    out = String.fromCharCode(65 + ((rest - 1) % 26)) + out;
  return out;
}

/**
 * The `read_xlsx` options of a table whose header is on `headerRow`: the range from the header to the last
 * column it names. The table ends at its first empty row, as DuckDB's reader has it (notes below a table are not
 * records).
 */
async function tableRange(connection: DuckDBConnection, file: string, sheet: string, headerRow: number) {
  const options = `sheet = ${literal(sheet)}, header = true, stop_at_empty = true`;
  if (headerRow === 1) return options;
  const [header] = await rows<Record<string, string | null>>(
    connection,
    `SELECT * FROM read_xlsx(${literal(file)}, sheet = ${literal(sheet)}, header = false, all_varchar = true,
       range = ${literal(`A${headerRow}:XFD${headerRow}`)})`,
  );
  const cells = Object.values(header ?? {});
  const width = cells.findLastIndex((c) => c !== null && c !== '') + 1;
  if (width === 0) throw new Error(`row ${headerRow} of sheet "${sheet}" is empty: it holds no header`);
  return `${options}, range = ${literal(`A${headerRow}:${columnLetters(width)}1048576`)}`;
}

/**
 * One sheet's table as text: each cell as stored (a number as written, `12001`, not `12001.0`), a date cell as its
 * date (`2026-02-03`, not Excel's serial day number), and a cell that is not a date in a date column (`n/d`) as its
 * text, so that it is quarantined with what it says instead of read as empty.
 */
async function sheetSql(connection: DuckDBConnection, dataset: Dataset, file: string): Promise<string> {
  const { sheet, headerRow } = dataset.source.xlsx ?? { sheet: 1, headerRow: 1 };
  const name = sheetIn(await workbookSheets(file), sheet);
  if (typeof name !== 'string') throw new Error(`${file}: ${name.problem}`);
  const options = await tableRange(connection, file, name, headerRow);
  const text = `read_xlsx(${literal(file)}, ${options}, all_varchar = true)`;
  const typed = `read_xlsx(${literal(file)}, ${options}, ignore_errors = true)`;
  const described = await rows<{ column_name: string; column_type: string }>(
    connection,
    `DESCRIBE SELECT * FROM ${typed}`,
  );
  const cells = described.map(({ column_name: c, column_type: type }) =>
    /^(DATE|TIME|TIMESTAMP)/.test(type)
      ? `coalesce(typed.${ident(c)}::VARCHAR, text.${ident(c)}) AS ${ident(c)}`
      : `text.${ident(c)}`,
  );
  return `SELECT ${cells.join(', ')} FROM ${text} AS text POSITIONAL JOIN ${typed} AS typed`;
}

/**
 * XLSX, read by DuckDB's `excel` extension: the declared sheet (by name or position) from its header row. A record's
 * origin is its row in the sheet.
 */
export const xlsx: SourceFormat = {
  extension: 'xlsx',
  stage: async (connection, dataset, files) => {
    const sheets = [];
    for (const file of files) sheets.push(await sheetSql(connection, dataset, file));
    await connection.run(`CREATE OR REPLACE TEMP TABLE ${ROWS} AS
      SELECT *, row_number() OVER () AS _odp_row FROM (${sheets.join(' UNION ALL BY NAME ')})`);
    const described = await rows<{ column_name: string }>(connection, `DESCRIBE SELECT * FROM ${ROWS}`);
    const available = new Set(described.map((d) => d.column_name));
    const headerRow = dataset.source.xlsx?.headerRow ?? 1;
    const origin = files.length === 1 ? `format('row {}', _odp_seq + ${headerRow})` : 'NULL::VARCHAR';
    await connection.run(`CREATE OR REPLACE TEMP TABLE incoming AS
      SELECT *, ${origin} AS ${ORIGIN} FROM (${tabularSql(dataset, ROWS, available, '_odp_row')})`);
    await connection.run(`DROP TABLE IF EXISTS ${ident(ROWS)}`);
  },
};
