import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Dataset } from '../../datasets/definition.js';
import { rows } from '../../lake/query.js';
import { ident, list, literal } from '../../lake/quote.js';
import { ALL_TEXT, readerTypes, typesOption } from './csvTypes.js';
import { ORIGIN, type SourceFormat, tabularSql } from './format.js';

const REJECTS = 'odp_csv_rejects';
const SCANS = 'odp_csv_scans';
const ROWS = 'odp_csv_rows';

type Dialect = NonNullable<Dataset['source']['csv']>;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

async function startsWithBom(file: string): Promise<boolean> {
  const handle = await open(file);
  try {
    const head = Buffer.alloc(3);
    const { bytesRead } = await handle.read(head, 0, 3, 0);
    return bytesRead === 3 && head.equals(UTF8_BOM);
  } finally {
    await handle.close();
  }
}

/**
 * A single-byte file as UTF-8, without a leading UTF-8 byte-order mark (spreadsheet programs write one even
 * before Latin-1 text). Latin-1 maps each byte to the code point of its value; Windows-1252 differs in 0x80–0x9F
 * (€, curly quotes), which the WHATWG decoder knows.
 */
async function transcoded(file: string, encoding: 'latin-1' | 'windows-1252', target: string): Promise<void> {
  const decoder = new TextDecoder('windows-1252');
  let first = true;
  await pipeline(
    createReadStream(file),
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        const bytes = first && chunk.subarray(0, 3).equals(UTF8_BOM) ? chunk.subarray(3) : chunk;
        first = false;
        done(
          null,
          encoding === 'latin-1' ? bytes.toString('latin1') : decoder.decode(bytes, { stream: true }),
        );
      },
    }),
    createWriteStream(target),
  );
}

/**
 * The files as DuckDB's reader can take them. UTF-8 (with or without a byte-order mark) and Latin-1 are read in
 * place; Windows-1252, and Latin-1 behind a UTF-8 byte-order mark, are transcoded to UTF-8 in a folder of their
 * own (never beside the originals, which may be a dataset's own read-only sample), removed by `done`.
 */
async function readable(
  files: readonly string[],
  dialect: Dialect,
): Promise<{ files: string[]; encoding: string; done: () => Promise<void> }> {
  const asIs = async () => undefined;
  if (dialect.encoding === 'utf-8') return { files: [...files], encoding: 'utf-8', done: asIs };
  const marked = await Promise.all(files.map(startsWithBom));
  if (dialect.encoding === 'latin-1' && !marked.some(Boolean))
    return { files: [...files], encoding: 'latin-1', done: asIs };
  const encoding = dialect.encoding;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'odp-utf8-'));
  const out = await Promise.all(
    files.map(async (file, i) => {
      const target = path.join(dir, `${i}.csv`);
      await transcoded(file, encoding, target);
      return target;
    }),
  );
  return { files: out, encoding: 'utf-8', done: () => rm(dir, { recursive: true, force: true }) };
}

/** `read_csv`'s options for a dialect; the sniffer finds what the dialect leaves unsaid. */
function readerOptions(dialect: Dialect | undefined, encoding: string): string {
  if (!dialect) return '';
  const options = [`encoding = ${literal(encoding)}`, `skip = ${dialect.skip}`];
  if (dialect.delimiter !== undefined) options.push(`delim = ${literal(dialect.delimiter)}`);
  if (dialect.quote !== undefined) options.push(`quote = ${literal(dialect.quote)}`);
  return `, ${options.join(', ')}`;
}

/** The lines the reader set aside, and how many of them for a value it could not parse as its type. */
interface Rejected {
  lines: number;
  casts: number;
}

/** The file as the table `odp_csv_rows`, every column as text or as `types` says, the unparseable lines set aside. */
async function readRows(
  connection: DuckDBConnection,
  files: readonly string[],
  options: string,
  types: string,
): Promise<Rejected> {
  for (const table of [REJECTS, SCANS]) await connection.run(`DROP TABLE IF EXISTS ${table}`);
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${ROWS} AS
    SELECT * FROM read_csv(${list(files)}, header = true,
    store_rejects = true, rejects_table = '${REJECTS}', rejects_scan = '${SCANS}'${options}${types})`);
  const [counted] = await rows<{ lines: number; casts: number }>(
    connection,
    `SELECT count(DISTINCT (file_id, line))::INTEGER AS lines, count(*) FILTER (error_type = 'CAST')::INTEGER AS casts
     FROM ${REJECTS}`,
  );
  return counted ?? { lines: 0, casts: 0 };
}

/**
 * CSV is read in full first, the lines the reader cannot parse set aside, so that the file's header is known and
 * a bad line cannot derail the sniffer. The lines it could not parse join `incoming` with the reader's own reason.
 * Columns the reader can parse by their declared rule (see `csvTypes.ts`) are typed as it reads; the rest stays
 * text, which validate reads by the declared separators and patterns. When any typed value does not parse, the
 * file is read again all as text, so that validate names the bad cell as for any other source.
 * Each record's origin is its line in the file, counting the skipped lines and the header (one line a record).
 */
export const csv: SourceFormat = {
  extension: 'csv',
  stage: async (connection, dataset, files) => {
    const dialect = dataset.source.csv;
    const read = dialect
      ? await readable(files, dialect)
      : { files: [...files], encoding: 'utf-8', done: async () => undefined };
    let rejected: Rejected;
    try {
      const options = readerOptions(dialect, read.encoding);
      const reader = readerTypes(dataset);
      rejected = await readRows(connection, read.files, options, typesOption(reader));
      if (reader.types.size > 0 && rejected.casts > 0)
        rejected = await readRows(connection, read.files, options, ALL_TEXT);
    } finally {
      await read.done();
    }
    const described = await rows<{ column_name: string }>(connection, `DESCRIBE ${ROWS}`);
    const available = new Set(described.map((d) => d.column_name));
    const first = (dialect?.skip ?? 0) + 2;
    // The table keeps the reader's order, so its rowid counts the records read (a window would be one more
    // pass, on one thread); a header named rowid hides it, and only then is the window needed.
    const seq = [...available].some((name) => name.toLowerCase() === 'rowid') ? undefined : 'rowid + 1';
    const staged = tabularSql(dataset, ROWS, available, seq);
    // Records of many files are known by their position.
    const lines = files.length > 1 ? 'NULL::VARCHAR' : `'line ' || (_odp_seq + ${first - 1})`;
    if (!rejected.lines) {
      // Nothing to add: `incoming` reads the rows in place, saving a copy of the file, unless a window numbers
      // them (computed once, in a table).
      await connection.run(`DROP TABLE IF EXISTS ${ident(REJECTS)}`);
      await connection.run(
        `CREATE OR REPLACE TEMP ${seq ? 'VIEW' : 'TABLE'} incoming AS SELECT *, ${lines} AS ${ORIGIN} FROM (${staged})`,
      );
      if (!seq) await connection.run(`DROP TABLE IF EXISTS ${ident(ROWS)}`);
      return;
    }
    // The k-th record read is on line first + k - 1, after the lines the reader rejected before it: a rejected
    // line with g good records before it moves every later record one line down.
    const sql =
      files.length > 1
        ? `SELECT *, ${lines} AS ${ORIGIN} FROM (${staged})`
        : `WITH shifts AS (
             SELECT line - ${first - 1} - row_number() OVER (ORDER BY line) AS good_before,
                    row_number() OVER (ORDER BY line) AS shift
             FROM (SELECT DISTINCT line FROM ${REJECTS})
           )
           SELECT staged.*, 'line ' || (staged._odp_seq + ${first - 1} + coalesce(shifts.shift, 0)) AS ${ORIGIN}
           FROM (${staged}) AS staged ASOF LEFT JOIN shifts ON staged._odp_seq > shifts.good_before`;
    await connection.run(`CREATE OR REPLACE TEMP TABLE incoming AS ${sql}`);
    const nulls = dataset.columns.map(() => 'NULL').join(', ');
    // A line can break several rules (too many columns, a bad quote): it is one record, with every reason.
    await connection.run(`
      INSERT INTO incoming
      SELECT (SELECT coalesce(max(_odp_seq), 0) FROM incoming) + row_number() OVER (ORDER BY file_id, line),
             csv_line, format('line {}: {}', line, string_agg(error_message, '; ' ORDER BY column_idx)), ${nulls}, NULL
      FROM ${REJECTS} GROUP BY file_id, line, csv_line`);
    await connection.run(`DROP TABLE IF EXISTS ${ident(REJECTS)}`);
    await connection.run(`DROP TABLE IF EXISTS ${ident(ROWS)}`);
  },
};
