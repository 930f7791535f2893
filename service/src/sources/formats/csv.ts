import { rows } from '../../lake/query.js';
import { ident, list } from '../../lake/quote.js';
import { type SourceFormat, tabularSql } from './format.js';

const REJECTS = 'odp_csv_rejects';
const ROWS = 'odp_csv_rows';

/**
 * CSV is read in full first, every value as text and every unparseable line set aside by DuckDB's reader, so
 * that the file's header is known and a bad line cannot derail the sniffer. The lines it could not parse join
 * `incoming` with the reader's own reason.
 */
export const csv: SourceFormat = {
  extension: 'csv',
  stage: async (connection, dataset, files) => {
    await connection.run(`CREATE OR REPLACE TEMP TABLE ${ROWS} AS SELECT * FROM read_csv(${list(files)}, header = true,
      all_varchar = true, store_rejects = true, rejects_table = '${REJECTS}', rejects_scan = 'odp_csv_scans')`);
    const described = await rows<{ column_name: string }>(connection, `DESCRIBE SELECT * FROM ${ROWS}`);
    const available = new Set(described.map((d) => d.column_name));
    await connection.run(`CREATE OR REPLACE TEMP TABLE incoming AS ${tabularSql(dataset, ROWS, available)}`);
    const nulls = dataset.columns.map(() => 'NULL').join(', ');
    await connection.run(`
      INSERT INTO incoming
      SELECT (SELECT coalesce(max(_odp_seq), 0) FROM incoming) + row_number() OVER (ORDER BY file_id, line),
             csv_line, format('line {}: {}', line, error_message), ${nulls}
      FROM ${REJECTS}`);
    await connection.run(`DROP TABLE IF EXISTS ${ident(REJECTS)}`);
    await connection.run(`DROP TABLE IF EXISTS ${ident(ROWS)}`);
  },
};
