import { AZURE_CREDENTIAL_CHAIN, type BlobService, emulatorConnectionString } from '../config/azure.js';
import { literal } from './quote.js';

/** The DuckDB secret through which the lake's Parquet files are read and written; Entra ID only on Azure. */
export function storageSecretStatement(name: string, service: BlobService): string {
  const how = service.emulator
    ? `CONNECTION_STRING ${literal(emulatorConnectionString(service))}`
    : `PROVIDER credential_chain, CHAIN ${literal(AZURE_CREDENTIAL_CHAIN)}, ACCOUNT_NAME ${literal(service.account)}`;
  return `CREATE OR REPLACE TEMPORARY SECRET ${name} (TYPE azure, ${how})`;
}
