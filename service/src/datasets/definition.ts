import { z } from 'zod';
import { CronPattern } from '../config/cron.js';

/** A name that is safe as a SQL identifier and a file name, and cannot clash with ODP's own `_odp_` columns. */
const Identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower-case letters, digits and _ and start with a letter');

/** The column types a dataset may declare: DuckDB types that DuckLake stores natively. */
const ColumnType = z
  .string()
  .transform((t) => t.trim().toUpperCase())
  .pipe(
    z
      .string()
      .regex(
        /^(VARCHAR|BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL\(\d{1,2},\s*\d{1,2}\)|DATE|TIME|TIMESTAMP|TIMESTAMPTZ|UUID|JSON)$/,
        'must be one of VARCHAR, BOOLEAN, TINYINT, SMALLINT, INTEGER, BIGINT, HUGEINT, UTINYINT, USMALLINT, UINTEGER, UBIGINT, FLOAT, DOUBLE, DECIMAL(p,s), DATE, TIME, TIMESTAMP, TIMESTAMPTZ, UUID, JSON',
      ),
  );

const NUMERIC_TYPE =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;

const Column = z
  .object({
    name: Identifier,
    type: ColumnType,
    /** Where the value sits in a record: a JSON path (`$.properties.mag`) for JSON sources, a column name otherwise. */
    from: z.string().min(1).optional(),
    required: z.boolean().default(false),
    /** How a text or number becomes a DATE/TIMESTAMP: `epoch_ms`, `epoch_s` or a strptime pattern. */
    format: z.string().min(1).optional(),
    /** Longer text is quarantined as oversize. */
    maxLength: z.number().int().positive().optional(),
    description: z.string().optional(),
  })
  .strict();

const SqlExpression = z.string().min(1).max(4000);

const Rule = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'must be lower-case letters, digits, _ and -'),
    /** A SQL boolean over the typed columns; a record for which it is not true is quarantined. */
    check: SqlExpression,
    message: z.string().min(1),
  })
  .strict();

const SqlEnrichment = z
  .object({
    name: Identifier,
    /** A SQL expression over the typed columns, evaluated by DuckDB over the whole batch. */
    expr: SqlExpression,
    type: ColumnType.optional(),
    description: z.string().optional(),
  })
  .strict();

/**
 * A summary of a text column written by a language model (an OpenAI-compatible chat-completions endpoint,
 * `ODP_LLM_*`), cached by the text's content so an unchanged record is never summarised twice.
 */
const SummaryEnrichment = z
  .object({
    name: Identifier,
    kind: z.literal('summary'),
    /** The text column (declared, or an earlier enrichment) to summarise. */
    of: Identifier,
    /** What the model is asked; the text follows it. */
    instructions: z.string().min(1).max(2000).default('Summarise this article in two plain sentences.'),
    description: z.string().optional(),
  })
  .strict()
  .transform((e) => ({ ...e, type: 'VARCHAR' as const }));

const Enrichment = z.union([SummaryEnrichment, SqlEnrichment]);

/** Formats whose records are JSON objects, read by JSON paths (`from: $.a.b`); the others by column name. */
export const JSON_RECORD_FORMATS: readonly string[] = ['json', 'geojson', 'ndjson', 'rss'];

/** Where a payload comes from: an http(s) URL, a file path or glob, or `npm:<package>/<file>`. */
const Location = z.string().min(1);

/** A JSONPath into a page's body (`$.next`, `$._links.next`); checked to be one the reader understands at load. */
const BodyPath = z.string().startsWith('$', 'must be a JSONPath starting with $');

/** A parameter's name in a page URL's query. */
const ParamName = z.string().min(1).max(200);

/** Every paginator stops at an empty page, and refuses to go past `maxPages` rather than silently stop there. */
const paging = {
  maxPages: z.number().int().positive().max(1_000_000).default(1000),
};

/**
 * How a paged API is walked, one request per page, as dlt's REST API source and Airbyte's connectors name them:
 * `offset` (offset/limit: CKAN, Socrata `$offset`/`$limit`, OpenDataSoft, ArcGIS `resultOffset` with
 * `more: $.exceededTransferLimit`), `page` (a page number), `next-link` (the next page's URL in the body),
 * `link-header` (RFC 8288 `Link: <…>; rel="next"`) and `cursor` (a token in the body sent back as a parameter).
 */
const Pages = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('offset'),
      size: z.number().int().positive().max(1_000_000),
      offsetParam: ParamName.default('offset'),
      limitParam: ParamName.default('limit'),
      /** A body field that says whether more pages follow; without it, a page shorter than `size` is the last. */
      more: BodyPath.optional(),
      ...paging,
    })
    .strict(),
  z
    .object({
      kind: z.literal('page'),
      size: z.number().int().positive().max(1_000_000),
      pageParam: ParamName.default('page'),
      sizeParam: ParamName.default('per_page'),
      firstPage: z.number().int().min(0).default(1),
      more: BodyPath.optional(),
      ...paging,
    })
    .strict(),
  z
    .object({
      kind: z.literal('next-link'),
      /** Where the next page's URL (absolute, or relative to the page's own) is in the body. */
      next: BodyPath,
      size: z.number().int().positive().max(1_000_000).optional(),
      sizeParam: ParamName.default('limit'),
      ...paging,
    })
    .strict(),
  z
    .object({
      kind: z.literal('link-header'),
      size: z.number().int().positive().max(1_000_000).optional(),
      sizeParam: ParamName.default('per_page'),
      ...paging,
    })
    .strict(),
  z
    .object({
      kind: z.literal('cursor'),
      /** Where the next page's cursor is in the body; none, null or empty ends the walk. */
      cursor: BodyPath,
      cursorParam: ParamName.default('cursor'),
      size: z.number().int().positive().max(1_000_000).optional(),
      sizeParam: ParamName.default('limit'),
      ...paging,
    })
    .strict(),
]);

/** A header or query value: plain text, or a secret read from a file (e.g. a mounted Key Vault secret). */
const AccessValue = z.union([z.string(), z.object({ secretFile: z.string().min(1) }).strict()]);

/** Character encodings a CSV file may declare; UTF-8 also reads a file that starts with a byte-order mark. */
export const CSV_ENCODINGS = ['utf-8', 'latin-1', 'windows-1252'] as const;

/** One character that is not a letter, digit or line break. */
const Separator = z
  .string()
  .regex(/^[^\p{L}\p{N}\r\n]$/u, 'must be one character, not a letter, digit or line break');

/**
 * How a CSV file is written. Numbers in numeric columns are read by the declared separators, never guessed:
 * with `thousands: "."`, `12.345` is twelve thousand three hundred forty-five.
 */
const CsvDialect = z
  .object({
    delimiter: Separator.optional(),
    quote: Separator.optional(),
    decimal: z.enum(['.', ',']).default('.'),
    thousands: z.enum(['.', ',', ' ', "'"]).optional(),
    encoding: z
      .string()
      .transform((e) =>
        e
          .trim()
          .toLowerCase()
          .replace(/^(iso-?8859-1|latin1)$/, 'latin-1')
          .replace(/^(cp1252|windows1252)$/, 'windows-1252')
          .replace(/^utf8$/, 'utf-8'),
      )
      .pipe(z.enum(CSV_ENCODINGS, { message: `must be one of ${CSV_ENCODINGS.join(', ')}` }))
      .default('utf-8'),
    /** Lines before the header (titles, notes) that are not part of the table. */
    skip: z.number().int().min(0).max(1000).default(0),
  })
  .strict()
  .refine((d) => d.thousands !== d.decimal, {
    message: 'the thousands and decimal separators must differ',
    path: ['thousands'],
  });

/** Which sheet of a workbook holds the table, and on which row its header is. */
const Spreadsheet = z
  .object({
    /** A sheet's name, or its position counting from 1. */
    sheet: z.union([z.string().min(1), z.number().int().positive()]).default(1),
    headerRow: z.number().int().positive().max(1_048_576).default(1),
  })
  .strict();

const Source = z
  .object({
    format: z.enum(['json', 'geojson', 'ndjson', 'csv', 'parquet', 'rss', 'xlsx']),
    /** JSON path of the records in a JSON document; GeoJSON defaults to its features. */
    records: z.string().startsWith('$').optional(),
    live: Location,
    /** An offline copy that the embedded default ingests instead of the live source. */
    bundled: Location.optional(),
    timeoutSeconds: z.number().positive().max(3600).default(60),
    retries: z.number().int().min(0).max(10).default(4),
    pages: Pages.optional(),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name'), AccessValue)
      .default({}),
    query: z.record(ParamName, AccessValue).default({}),
    csv: CsvDialect.optional(),
    xlsx: Spreadsheet.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.csv && s.format !== 'csv')
      ctx.addIssue({
        code: 'custom',
        path: ['csv'],
        message: `a CSV dialect needs format: csv, not ${s.format}`,
      });
    if (s.xlsx && s.format !== 'xlsx')
      ctx.addIssue({
        code: 'custom',
        path: ['xlsx'],
        message: `a sheet needs format: xlsx, not ${s.format}`,
      });
    if (s.pages && !['json', 'geojson', 'ndjson'].includes(s.format))
      ctx.addIssue({
        code: 'custom',
        path: ['pages'],
        message: `pages are read from JSON APIs; ${s.format} is not paged`,
      });
    const bodyPath =
      s.pages &&
      (['next', 'cursor', 'more'] as const).find(
        (f) => f in s.pages! && (s.pages as Record<string, unknown>)[f] !== undefined,
      );
    if (s.format === 'ndjson' && bodyPath)
      ctx.addIssue({
        code: 'custom',
        path: ['pages', bodyPath],
        message: 'an NDJSON page has no single body to find it in; use offset, page or link-header paging',
      });
  });

export type Source = z.infer<typeof Source>;
export type Pages = NonNullable<Source['pages']>;
export type AccessValue = z.infer<typeof AccessValue>;

export const DatasetSchema = z
  .object({
    name: Identifier,
    description: z.string().optional(),
    schedule: CronPattern,
    source: Source,
    columns: z.array(Column).min(1),
    /**
     * What identifies a record: its key columns, or `record` when nothing but the whole record does (a feed with
     * no id): then a record is stored once per distinct content, and its optional fields may be empty.
     */
    key: z.union([z.literal('record'), z.array(Identifier).min(1)]),
    /** The column that orders a record's versions: a higher value is newer. */
    version: Identifier.optional(),
    rules: z.array(Rule).default([]),
    enrich: z.array(Enrichment).default([]),
    /**
     * The order the lake keeps the table's files in (`column` or `column.desc`, first term first): the access
     * path reads filtered on these columns take, since each file's min/max statistics then skip most files.
     */
    sortedBy: z
      .array(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.(asc|desc))?$/, 'must be <column> or <column>.asc|desc'),
      )
      .min(1)
      .optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    const names = new Set<string>();
    for (const [i, c] of [...d.columns, ...d.enrich].entries()) {
      if (names.has(c.name)) {
        ctx.addIssue({
          code: 'custom',
          path: [i < d.columns.length ? 'columns' : 'enrich'],
          message: `${c.name} is declared twice`,
        });
      }
      names.add(c.name);
    }
    const columns = new Set(d.columns.map((c) => c.name));
    for (const [i, k] of (d.key === 'record' ? [] : d.key).entries()) {
      if (!columns.has(k))
        ctx.addIssue({ code: 'custom', path: ['key', i], message: `${k} is not a declared column` });
    }
    if (d.key === 'record' && d.version) {
      ctx.addIssue({
        code: 'custom',
        path: ['version'],
        message:
          'a dataset identified by the whole record has no versions: a changed record is another record',
      });
    }
    if (d.version && !columns.has(d.version)) {
      ctx.addIssue({ code: 'custom', path: ['version'], message: `${d.version} is not a declared column` });
    }
    for (const [i, term] of (d.sortedBy ?? []).entries()) {
      const column = term.replace(/\.(asc|desc)$/, '');
      if (!names.has(column))
        ctx.addIssue({
          code: 'custom',
          path: ['sortedBy', i],
          message: `${column} is not a declared column`,
        });
    }
    const earlier = new Set(d.columns.map((c) => c.name));
    for (const [i, e] of d.enrich.entries()) {
      if ('kind' in e && !earlier.has(e.of))
        ctx.addIssue({
          code: 'custom',
          path: ['enrich', i, 'of'],
          message: `${e.of} is not a column declared before it`,
        });
      earlier.add(e.name);
    }
    const rules = new Set<string>();
    for (const [i, r] of d.rules.entries()) {
      if (rules.has(r.name))
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: `${r.name} is declared twice` });
      rules.add(r.name);
    }
  })
  .transform((d) => {
    const wholeRecord = d.key === 'record';
    const dialect = d.source.csv;
    const separators =
      dialect && (dialect.decimal !== '.' || dialect.thousands !== undefined)
        ? { decimal: dialect.decimal, thousands: dialect.thousands }
        : undefined;
    const key = d.key === 'record' ? d.columns.map((c) => c.name) : d.key;
    return {
      ...d,
      key,
      wholeRecord,
      // Key and version columns identify and order records, so a record without them cannot be stored; a
      // whole-record identity takes the record as it comes, empty fields included.
      columns: d.columns.map((c) => ({
        ...c,
        required: c.required || (!wholeRecord && key.includes(c.name)) || c.name === d.version,
        /** How the source writes the numbers of a numeric column, when not as `1234.5`. */
        separators: NUMERIC_TYPE.test(c.type) ? separators : undefined,
      })),
    };
  });

export type Dataset = z.infer<typeof DatasetSchema> & {
  /** The YAML file the dataset was read from, for error messages and relative source paths. */
  file: string;
};
export type Column = Dataset['columns'][number];
