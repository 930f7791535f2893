import type { DuckDBConnection } from '@duckdb/node-api';
import type { Dataset } from '../../datasets/definition.js';
import { columnsAt, currentSnapshot, hasSnapshot, snapshotAt } from '../../lake/snapshots.js';
import { readsAsTime, utcTimestampText } from '../../lake/time.js';
import { CONTENT_HASH_COLUMN } from '../../pipeline/identity.js';
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

/**
 * The API's view of the lake's snapshots and table schemas: `asOf` resolved with the client's errors, and schemas
 * cached per (dataset, snapshot), since neither ever changes.
 */
export class CatalogCache {
  readonly #schemas = new Map<string, TableSchema>();
  #current: Promise<number> | undefined;
  readonly #resolved = new Map<string, { snapshot: number; at: number }>();

  /**
   * The lake's latest snapshot. Requests arriving while a lookup is under way share it (one catalog read instead of
   * one per request under load); a commit is seen by the next lookup.
   */
  currentSnapshot(connection: DuckDBConnection): Promise<number> {
    this.#current ??= currentSnapshot(connection).finally(() => {
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
      if (!(await hasSnapshot(connection, id))) {
        throw notFound(`asOf: the lake has no snapshot ${id} (it may have expired; see /snapshots)`);
      }
      return id;
    }
    if (!readsAsTime(asOf)) {
      throw badRequest('asOf must be a snapshot id or an ISO-8601 time', [
        { parameter: 'asOf', message: `"${asOf}" is neither a snapshot id nor an ISO-8601 time` },
      ]);
    }
    // In UTC as the engine reads it: it does not parse an offset after a time without seconds (`12:00+01:00`).
    const found = await snapshotAt(connection, `${utcTimestampText(asOf)}Z`);
    if (found.id === null) {
      throw notFound(
        `asOf: the lake has no snapshot at or before ${asOf} (its oldest is from ${found.oldest})`,
      );
    }
    return found.id;
  }

  /** The dataset's columns at a snapshot; 404 when the dataset had no table then. */
  async schema(connection: DuckDBConnection, dataset: Dataset, snapshot: number): Promise<TableSchema> {
    const cacheKey = `${dataset.name}@${snapshot}`;
    const cached = this.#schemas.get(cacheKey);
    if (cached) return cached;
    const described = await columnsAt(connection, dataset.name, snapshot);
    if (!described) {
      throw notFound(`dataset ${dataset.name} has no data at snapshot ${snapshot}: it was not ingested yet`);
    }
    const declared = new Map<string, string | undefined>([
      ...dataset.columns.map((c) => [c.name, c.description] as const),
      ...dataset.enrich.map((e) => [e.name, e.description] as const),
    ]);
    // The content hash is how the pipeline recognises a record again; it is not part of the record.
    const schema: TableSchema = new Map(
      described
        .filter((d) => d.column_name !== CONTENT_HASH_COLUMN)
        .map((d) => [
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
