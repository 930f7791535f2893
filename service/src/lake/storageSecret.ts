import type { BlobService } from '../config/config.js';
import { literal } from './quote.js';

/**
 * Azurite's documented development key: public, accepted by the emulator only. The configuration admits it for
 * loopback endpoints alone (see `BlobService.emulator`).
 */
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** In AKS the pod's workload identity; on a VM its managed identity; on a laptop the Azure CLI login. */
export const AZURE_CREDENTIAL_CHAIN = 'workload_identity;managed_identity;cli';

export function emulatorConnectionString(service: BlobService): string {
  if (!service.emulator)
    throw new Error(`${service.endpoint} is not the local emulator: no account key is used`);
  return `DefaultEndpointsProtocol=http;AccountName=${service.account};AccountKey=${AZURITE_KEY};BlobEndpoint=${service.endpoint}`;
}

/** The DuckDB secret through which the lake's Parquet files are read and written; Entra ID only on Azure. */
export function storageSecretStatement(name: string, service: BlobService): string {
  const how = service.emulator
    ? `CONNECTION_STRING ${literal(emulatorConnectionString(service))}`
    : `PROVIDER credential_chain, CHAIN ${literal(AZURE_CREDENTIAL_CHAIN)}, ACCOUNT_NAME ${literal(service.account)}`;
  return `CREATE OR REPLACE TEMPORARY SECRET ${name} (TYPE azure, ${how})`;
}
