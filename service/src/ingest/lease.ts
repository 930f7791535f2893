import { OdpError } from '../errors.js';

/** Held while a run writes a dataset; DuckLake has no primary keys, so two writers could both insert a key. */
export interface Lease {
  release(): Promise<void>;
}

export interface LeaseProvider {
  /** Takes the dataset's writer lease for `holder` (a run id), or throws `lease-held` naming the current holder. */
  acquire(dataset: string, holder: string): Promise<Lease>;
}

/**
 * Leases within one process. Enough for the embedded default: its DuckDB catalog file is locked by the one
 * process that opens it, so no other process can write at all.
 */
export class ProcessLeases implements LeaseProvider {
  readonly #holders = new Map<string, string>();

  async acquire(dataset: string, holder: string): Promise<Lease> {
    const current = this.#holders.get(dataset);
    if (current) {
      throw new OdpError(
        'lease-held',
        `${dataset} is being ingested by run ${current}; run ${holder} was refused`,
        {
          details: { dataset, holder: current },
          expose: true,
        },
      );
    }
    this.#holders.set(dataset, holder);
    return {
      release: async () => {
        if (this.#holders.get(dataset) === holder) this.#holders.delete(dataset);
      },
    };
  }
}
