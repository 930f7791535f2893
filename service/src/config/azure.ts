import { InvalidSetting } from './invalidSetting.js';

/**
 * Where the service meets Azure Storage, parsed in one place: blob services, container locations, and the local
 * emulator (Azurite), the one place where an account key is used.
 */

/**
 * An Azure Storage account's blob service. `emulator` is Azurite on a loopback address, the only place where the
 * service uses an account key (Azurite's public development key); real accounts are reached with Entra ID only.
 */
export type BlobService = { account: string; endpoint: string; emulator: boolean };

/** A folder in an Azure Blob Storage container (under `prefix`); `url` is how DuckDB names it. */
export type AzureTarget = {
  kind: 'azure';
  url: string;
  service: BlobService;
  container: string;
  prefix: string;
};

/** The account a path means when it names none: ODP_AZURE_BLOB_ENDPOINT, else ODP_AZURE_STORAGE_ACCOUNT. */
export interface AzureDefaults {
  blobEndpoint?: string | undefined;
  storageAccount?: string | undefined;
}

/** Azurite's documented development account; its key is public and works nowhere but in the emulator. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The blob service named by ODP_AZURE_BLOB_ENDPOINT / ODP_AZURE_STORAGE_ACCOUNT, for paths that name no account. */
function configuredService(defaults: AzureDefaults, variable: string): BlobService {
  if (defaults.blobEndpoint)
    return emulatorService(new URL(defaults.blobEndpoint), 'ODP_AZURE_BLOB_ENDPOINT');
  if (!defaults.storageAccount) {
    throw new InvalidSetting(
      variable,
      'names no storage account: write az://<account>.blob.core.windows.net/<container>/… or set ODP_AZURE_STORAGE_ACCOUNT',
    );
  }
  return azureService(defaults.storageAccount);
}

function azureService(account: string): BlobService {
  return { account, endpoint: `https://${account}.blob.core.windows.net`, emulator: false };
}

/** An emulator endpoint is `http://127.0.0.1:10000/devstoreaccount1`: loopback only, Azurite's account only. */
function emulatorService(url: URL, variable: string): BlobService {
  if (!isLoopback(url.hostname)) {
    throw new InvalidSetting(
      variable,
      `${url.origin} is not a loopback address: account keys are only used with the local emulator (Azurite); ` +
        'reach Azure accounts as https://<account>.blob.core.windows.net with a managed identity',
    );
  }
  const account = url.pathname.split('/').filter(Boolean)[0];
  if (account !== AZURITE_ACCOUNT) {
    throw new InvalidSetting(
      variable,
      `the emulator endpoint must end in /${AZURITE_ACCOUNT} (Azurite's development account)`,
    );
  }
  return { account, endpoint: `${url.origin}/${account}`, emulator: true };
}

function splitPath(rest: string): { container: string; prefix: string } {
  const [container = '', ...prefix] = rest.split('/');
  return { container, prefix: prefix.filter(Boolean).join('/') };
}

/**
 * `az://<container>/<prefix>`, `az://<account>.blob.core.windows.net/<container>/<prefix>`,
 * `abfss://<container>@<account>.dfs.core.windows.net/<prefix>`, `abfss://<container>/<prefix>`, and (increments
 * only) a container URL `https://<account>.blob.core.windows.net/<container>` or an emulator one.
 */
function parseAzureTarget(
  value: string,
  variable: string,
  defaults: AzureDefaults,
  containerUrls: boolean,
): AzureTarget {
  const scheme = /^([a-z]+):\/\//.exec(value)?.[1] as string;
  if (value.includes('?')) {
    throw new InvalidSetting(
      variable,
      'carries a query string (a SAS token is a key): use a managed identity instead',
    );
  }
  const url = value.replace(/\/?$/, '/');
  const rest = value.slice(scheme.length + 3);
  if (scheme === 'az' || scheme === 'azure') {
    const qualified = /^([a-z0-9]{3,24})\.blob\.core\.windows\.net\/(.*)$/.exec(rest);
    const service = qualified ? azureService(qualified[1] as string) : configuredService(defaults, variable);
    return { kind: 'azure', url, service, ...splitPath(qualified ? (qualified[2] as string) : rest) };
  }
  if (scheme === 'abfss') {
    const named = /^([^@/]+)@([a-z0-9]{3,24})\.dfs\.core\.windows\.net\/?(.*)$/.exec(rest);
    const service = named ? azureService(named[2] as string) : configuredService(defaults, variable);
    if (service.emulator)
      throw new InvalidSetting(variable, 'Azurite has no Data Lake (dfs) endpoint: use az:// with it');
    const parts = named ? { container: named[1] as string, prefix: named[3] as string } : splitPath(rest);
    return {
      kind: 'azure',
      url,
      service,
      container: parts.container,
      prefix: parts.prefix.replace(/\/$/, ''),
    };
  }
  if (!containerUrls)
    throw new InvalidSetting(variable, `${scheme}:// is not a lake path: use az:// or abfss://`);
  const parsed = new URL(value);
  const hosted = /^([a-z0-9]{3,24})\.blob\.core\.windows\.net$/.exec(parsed.hostname);
  if (hosted && scheme === 'https') {
    return {
      kind: 'azure',
      url,
      service: azureService(hosted[1] as string),
      ...splitPath(parsed.pathname.slice(1)),
    };
  }
  const service = emulatorService(parsed, variable);
  return { kind: 'azure', url, service, ...splitPath(parsed.pathname.split('/').slice(2).join('/')) };
}

/** An Azure location from a variable's value; `containerUrls` also admits a container's https (or emulator) URL. */
export function azureTarget(
  value: string,
  variable: string,
  defaults: AzureDefaults,
  containerUrls: boolean,
): AzureTarget {
  const target = parseAzureTarget(value, variable, defaults, containerUrls);
  if (!/^[a-z0-9](-?[a-z0-9])*$/.test(target.container)) {
    throw new InvalidSetting(variable, `names no valid blob container (found "${target.container}")`);
  }
  return target;
}

/** Azurite's documented development key: public, accepted by the emulator only (see `BlobService.emulator`). */
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** In AKS the pod's workload identity; on a VM its managed identity; on a laptop the Azure CLI login. */
export const AZURE_CREDENTIAL_CHAIN = 'workload_identity;managed_identity;cli';

export function emulatorConnectionString(service: BlobService): string {
  if (!service.emulator)
    throw new Error(`${service.endpoint} is not the local emulator: no account key is used`);
  return `DefaultEndpointsProtocol=http;AccountName=${service.account};AccountKey=${AZURITE_KEY};BlobEndpoint=${service.endpoint}`;
}
