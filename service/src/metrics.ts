import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Run } from './journal/run.js';

/** The service's Prometheus registry; the HTTP API serves it at /metrics. */
export const registry = new Registry();
// The process's own figures (resident memory, JS heap, event-loop lag, open descriptors), as Prometheus expects
// them from a Node service: memory that grows shows here before a pod is killed for it.
collectDefaultMetrics({ register: registry });

const runs = new Counter({
  name: 'odp_ingest_runs_total',
  help: 'Ingest runs by dataset and outcome',
  labelNames: ['dataset', 'status'] as const,
  registers: [registry],
});

const records = new Counter({
  name: 'odp_ingest_records_total',
  help: 'Records received by ingest runs, by dataset and what became of them',
  labelNames: ['dataset', 'outcome'] as const,
  registers: [registry],
});

const quarantined = new Counter({
  name: 'odp_quarantined_records_total',
  help: 'Records quarantined by ingest runs, by dataset',
  labelNames: ['dataset'] as const,
  registers: [registry],
});

const snapshot = new Gauge({
  name: 'odp_dataset_snapshot_id',
  help: 'The lake snapshot of the last successful ingest run, by dataset',
  labelNames: ['dataset'] as const,
  registers: [registry],
});

const engineMemory = new Gauge({
  name: 'odp_engine_memory_bytes',
  help: "DuckDB's own memory by what it holds (duckdb_memory()), read at each scrape: the native part of RSS",
  labelNames: ['tag'] as const,
  registers: [registry],
});

/** DuckDB's memory by tag, as `duckdb_memory()` reports it. */
export function recordEngineMemory(usage: { tag: string; bytes: number }[]): void {
  for (const { tag, bytes } of usage) engineMemory.set({ tag }, bytes);
}

export function recordRunMetrics(run: Run): void {
  runs.inc({ dataset: run.dataset, status: run.status });
  for (const outcome of ['inserted', 'updated', 'unchanged', 'quarantined'] as const) {
    records.inc({ dataset: run.dataset, outcome }, run[outcome]);
  }
  quarantined.inc({ dataset: run.dataset }, run.quarantined);
  if (run.snapshot_id !== null) snapshot.set({ dataset: run.dataset }, run.snapshot_id);
}
