import { rows } from '../../lake/query.js';
import { list, literal } from '../../lake/quote.js';
import { type SourceFormat, tabularSql } from './format.js';

/** Parquet is already typed and columnar: `incoming` reads the files in place, saving a copy of the whole batch. */
export const parquet: SourceFormat = {
  extension: 'parquet',
  stage: async (connection, dataset, files) => {
    const reader = `read_parquet(${list(files)}, filename = true, file_row_number = true)`;
    const described = await rows<{ column_name: string }>(connection, `DESCRIBE SELECT * FROM ${reader}`);
    const available = new Set(described.map((d) => d.column_name));
    await connection.run(
      `CREATE OR REPLACE TEMP VIEW incoming AS ${tabularSql(dataset, reader, available, await sequence(connection, files))}`,
    );
  },
};

/**
 * A record's position in the payload: its row number in its file, after the rows of the files before it. Read in
 * parallel, unlike a window over the whole scan.
 */
async function sequence(connection: Parameters<SourceFormat['stage']>[0], files: readonly string[]) {
  const counted = await rows<{ file_name: string; num_rows: string }>(
    connection,
    `SELECT file_name, sum(num_rows) AS num_rows FROM parquet_file_metadata(${list(files)}) GROUP BY file_name`,
  );
  const sizes = new Map(counted.map((c) => [c.file_name, Number(c.num_rows)]));
  let before = 0;
  const offsets = files.map((file) => {
    const offset = before;
    before += sizes.get(file) ?? 0;
    return `WHEN ${literal(file)} THEN ${offset}`;
  });
  return files.length === 1
    ? 'file_row_number + 1'
    : `file_row_number + 1 + CASE filename ${offsets.join(' ')} END`;
}
