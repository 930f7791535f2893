import { rows } from '../../lake/query.js';
import { list } from '../../lake/quote.js';
import { type SourceFormat, tabularSql } from './format.js';

/** Parquet is already typed and columnar: `incoming` reads the files in place, saving a copy of the whole batch. */
export const parquet: SourceFormat = {
  extension: 'parquet',
  stage: async (connection, dataset, files) => {
    const reader = `read_parquet(${list(files)})`;
    const described = await rows<{ column_name: string }>(connection, `DESCRIBE SELECT * FROM ${reader}`);
    const available = new Set(described.map((d) => d.column_name));
    await connection.run(`CREATE OR REPLACE TEMP VIEW incoming AS ${tabularSql(dataset, reader, available)}`);
  },
};
