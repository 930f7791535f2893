import type { Column, Dataset } from '../../datasets/definition.js';
import { literal } from '../../lake/quote.js';

/**
 * The declared columns DuckDB's CSV reader can parse itself while it reads, as validate would parse their text:
 * one pass over the file instead of a text copy and a second pass. The reader parses numbers with one decimal
 * mark and dates with one pattern for the whole file, so a column is given to it only where that is exactly the
 * column's declared rule:
 * - text, always;
 * - numbers without a thousands separator: fractional types as themselves with the declared decimal mark;
 *   integer types as themselves under a `.` decimal mark, and as `DECIMAL(18,0)` under `,` (the reader would
 *   read an integer's `1.5` as 2 whatever the mark), cast to the integer type by validate as text would be (its
 *   reader is ~30× slower for wider decimals; a longer number is a value it cannot parse, see below);
 * - dates and timestamps without a pattern, or with the pattern of the first such column of their type.
 * The rest stays text. A value the reader cannot parse does not reach validate's reasons from here: the file is
 * read again as text (see `csv.ts`), so a bad cell is quarantined exactly as without this.
 */
export interface ReaderTypes {
  /** Header name → the type the reader gives it. */
  types: ReadonlyMap<string, string>;
  /** `read_csv` options those types need (`decimal_separator`, `dateformat`, `timestampformat`). */
  options: readonly string[];
}

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;
const FRACTIONAL = /^(FLOAT|DOUBLE|DECIMAL\(.*\))$/;
const EPOCH = new Set(['epoch_ms', 'epoch_s']);

export function readerTypes(dataset: Dataset): ReaderTypes {
  const dialect = dataset.source.csv;
  const decimal = dialect?.decimal ?? '.';
  const noThousands = dialect?.thousands === undefined;
  const patterns = new Map<string, string | undefined>();
  const byHeader = new Map<string, (string | undefined)[]>();
  for (const column of dataset.columns) {
    const header = column.from ?? column.name;
    byHeader.set(header, [
      ...(byHeader.get(header) ?? []),
      readerType(column, decimal, noThousands, patterns),
    ]);
  }
  // A header that two columns read two ways (or one of them as text) stays text.
  const types = new Map(
    [...byHeader]
      .filter(([, read]) => read[0] !== undefined && read.every((type) => type === read[0]))
      .map(([header, read]) => [header, read[0]!]),
  );
  const options = decimal === '.' ? [] : [`decimal_separator = ${literal(decimal)}`];
  const date = patterns.get('DATE');
  const timestamp = patterns.get('TIMESTAMP');
  if (date !== undefined) options.push(`dateformat = ${literal(date)}`);
  if (timestamp !== undefined) options.push(`timestampformat = ${literal(timestamp)}`);
  return { types, options };
}

function readerType(
  column: Column,
  decimal: string,
  noThousands: boolean,
  patterns: Map<string, string | undefined>,
): string | undefined {
  const { type, format } = column;
  if (type === 'VARCHAR') return type;
  if (INTEGER.test(type) && noThousands) return decimal === '.' ? type : 'DECIMAL(18,0)';
  if (FRACTIONAL.test(type) && noThousands) return type;
  if ((type === 'DATE' || type === 'TIMESTAMP') && !(format && EPOCH.has(format))) {
    if (!patterns.has(type)) patterns.set(type, format);
    return patterns.get(type) === format ? type : undefined;
  }
  return undefined;
}

/** `read_csv`'s options for every column as text. */
export const ALL_TEXT = ', all_varchar = true';

/** `read_csv`'s options for those columns' types, every other column as text. */
export function typesOption(reader: ReaderTypes): string {
  if (reader.types.size === 0) return ALL_TEXT;
  const entries = [...reader.types].map(([header, type]) => `${literal(header)}: ${literal(type)}`);
  return `, types = {${entries.join(', ')}}, ${reader.options.length ? `${reader.options.join(', ')}, ` : ''}auto_type_candidates = ['VARCHAR']`;
}
