import { Counter, Gauge } from 'prom-client';
import { registry } from '../metrics.js';

/** What the serving copies hold and how often reads find them, on /metrics. */
export const servingMetrics = {
  bytes: new Gauge({
    name: 'odp_serving_copy_bytes',
    help: 'Memory the serving copy of each dataset takes (0 when it has none)',
    labelNames: ['dataset'] as const,
    registers: [registry],
  }),
  snapshot: new Gauge({
    name: 'odp_serving_copy_snapshot_id',
    help: 'The snapshot the serving copy of each dataset holds',
    labelNames: ['dataset'] as const,
    registers: [registry],
  }),
  buildSeconds: new Gauge({
    name: 'odp_serving_copy_build_seconds',
    help: 'How long the last serving copy of each dataset took to build',
    labelNames: ['dataset'] as const,
    registers: [registry],
  }),
  reads: new Counter({
    name: 'odp_serving_reads_total',
    help: 'Record reads by dataset and what answered them: the serving copy, or the lake',
    labelNames: ['dataset', 'source'] as const,
    registers: [registry],
  }),
  narrowed: new Counter({
    name: 'odp_serving_narrowed_reads_total',
    help: 'Reads of a copy bounded to the days their page needs by its day counts',
    labelNames: ['dataset'] as const,
    registers: [registry],
  }),
  overBudget: new Counter({
    name: 'odp_serving_over_budget_total',
    help: 'Snapshots of a dataset not copied because the copy would not fit the serving budget',
    labelNames: ['dataset'] as const,
    registers: [registry],
  }),
};
