import type { DuckDBConnection } from '@duckdb/node-api';
import type { Dataset } from '../datasets/definition.js';
import { messageOf } from '../errors.js';
import { LAKE } from '../lake/attach.js';
import { rows } from '../lake/query.js';
import { ident } from '../lake/quote.js';
import { badRequest, notFound } from './problem.js';

/** A column as a client sees it: the type DuckDB stores and what the dataset says about it. */
export interface ColumnInfo {
  name: string;
  type: string;
  nullable: boolean;
  description: string | undefined;
}

export type TableSchema = ReadonlyMap<string, ColumnInfo>;

const PROVENANCE: Record<string, string> = {
  _odp_run_id: 'the ingest run that wrote this version of the record',
  _odp_ingested_at: 'when that run started',
};

/** A snapshot id is a non-negative integer; only such numbers are ever written into SQL text. */
export function snapshotSql(snapshot: number): string {
  if (!Number.isSafeInteger(snapshot) || snapshot < 0) throw new Error(`not a snapshot id: ${snapshot}`);
  return String(snapshot);
}

export const tableAt = (dataset: string, snapshot: number): string =>
  `${LAKE}.main.${ident(dataset)} AT (VERSION => ${snapshotSql(snapshot)})`;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

/** Snapshots and table schemas of the lake, with schemas cached per (dataset, snapshot): both never change. */
export class LakeCatalog {
  readonly #schemas = new Map<string, TableSchema>();
  #current: Promise<number> | undefined;
  readonly #resolved = new Map<string, { snapshot: number; at: number }>();

  /**
   * The lake's latest snapshot. Requests arriving while a lookup is under way share it (one catalog read instead of
   * one per request under load); a commit is seen by the next lookup.
   */
  currentSnapshot(connection: DuckDBConnection): Promise<number> {
    this.#current ??= rows<{ id: string }>(connection, `SELECT id FROM ${LAKE}.current_snapshot()`)
      .then(([row]) => Number(row?.id ?? 0))
      .finally(() => {
        this.#current = undefined;
      });
    return this.#current;
  }

  /**
   * `asOf` as a snapshot id: an id as given, or the snapshot current at an ISO-8601 time. An answer is kept for a
   * minute: a past snapshot only goes away when maintenance expires it (retention is days), and a time more than a
   * few seconds past has no commit still in flight that could land before it.
   */
  async resolveAsOf(connection: DuckDBConnection, asOf: string): Promise<number> {
    const known = this.#resolved.get(asOf);
    if (known && Date.now() - known.at < 60_000) return known.snapshot;
    const snapshot = await this.#resolveAsOf(connection, asOf);
    const settled = /^\d+$/.test(asOf) || Date.parse(asOf.replace(' ', 'T')) < Date.now() - 5_000;
    if (settled) {
      if (this.#resolved.size >= 1024) this.#resolved.clear();
      this.#resolved.set(asOf, { snapshot, at: Date.now() });
    }
    return snapshot;
  }

  async #resolveAsOf(connection: DuckDBConnection, asOf: string): Promise<number> {
    if (/^\d{1,15}$/.test(asOf)) {
      const id = Number(asOf);
      const [found] = await rows<{ n: string }>(
        connection,
        `SELECT count(*) AS n FROM ${LAKE}.snapshots() WHERE snapshot_id = ?`,
        [id],
      );
      if (Number(found?.n) === 0) {
        throw notFound(`asOf: the lake has no snapshot ${id} (it may have expired; see /snapshots)`);
      }
      return id;
    }
    if (!ISO_TIME.test(asOf) || Number.isNaN(Date.parse(asOf.replace(' ', 'T')))) {
      throw badRequest('asOf must be a snapshot id or an ISO-8601 time', [
        { parameter: 'asOf', message: `"${asOf}" is neither a snapshot id nor an ISO-8601 time` },
      ]);
    }
    const [found] = await rows<{ id: string | null; first: string | null }>(
      connection,
      `SELECT max(snapshot_id) FILTER (WHERE snapshot_time <= CAST(? AS TIMESTAMPTZ)) AS id,
              min(snapshot_time)::VARCHAR AS first
       FROM ${LAKE}.snapshots()`,
      [asOf],
    );
    if (found?.id === null || found?.id === undefined) {
      throw notFound(
        `asOf: the lake has no snapshot at or before ${asOf} (its oldest is from ${found?.first})`,
      );
    }
    return Number(found.id);
  }

  /** The dataset's columns at a snapshot; 404 when the dataset had no table then. */
  async schema(connection: DuckDBConnection, dataset: Dataset, snapshot: number): Promise<TableSchema> {
    const cacheKey = `${dataset.name}@${snapshot}`;
    const cached = this.#schemas.get(cacheKey);
    if (cached) return cached;
    let described: { column_name: string; column_type: string; null: string }[];
    try {
      described = await rows(connection, `DESCRIBE SELECT * FROM ${tableAt(dataset.name, snapshot)}`);
    } catch (error) {
      if (/does not exist|not found|No snapshot/i.test(messageOf(error))) {
        throw notFound(
          `dataset ${dataset.name} has no data at snapshot ${snapshot}: it was not ingested yet`,
        );
      }
      throw error;
    }
    const declared = new Map<string, string | undefined>([
      ...dataset.columns.map((c) => [c.name, c.description] as const),
      ...dataset.enrich.map((e) => [e.name, e.description] as const),
    ]);
    const schema: TableSchema = new Map(
      described.map((d) => [
        d.column_name,
        {
          name: d.column_name,
          type: d.column_type,
          nullable: d.null !== 'NO',
          description: declared.get(d.column_name) ?? PROVENANCE[d.column_name],
        },
      ]),
    );
    if (this.#schemas.size >= 256) this.#schemas.delete(this.#schemas.keys().next().value!);
    this.#schemas.set(cacheKey, schema);
    return schema;
  }
}
