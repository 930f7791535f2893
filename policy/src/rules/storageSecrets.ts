import type { Finding, ResourceView, Rule } from '../ResourceView.js';

const id = 'storage-secrets';
// Attributes of other resources that hold storage credentials when read.
const secretReference = /\.(primary|secondary)_[a-z_]*(access_key|connection_string|shared_key)\b|\.sas\b/;
// Attributes a resource would be handed a credential through.
const secretAttribute = /(^|_)(access_key|account_key|connection_string|sas_token|sas_url|sas)$/;
const sasDataSource = /^azurerm_storage_[a-z_]*sas$/;

function findSecrets(value: unknown, path: string, found: string[]): void {
  if (typeof value === 'string') {
    if (secretReference.test(value)) found.push(`${path} reads ${value}`);
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) findSecrets(item, `${path}[${i}]`, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, nested] of Object.entries(value)) {
      const nestedPath = path === '' ? key : `${path}.${key}`;
      if (secretAttribute.test(key) && typeof nested === 'string' && nested !== '') {
        found.push(`${nestedPath} is set`);
      } else {
        findSecrets(nested, nestedPath, found);
      }
    }
  }
}

function check(resource: ResourceView): Finding[] {
  if (sasDataSource.test(resource.type)) {
    return [
      {
        rule: id,
        address: resource.address,
        message: 'generates a SAS token; grant an Entra ID role instead',
      },
    ];
  }
  const found: string[] = [];
  findSecrets(resource.values, '', found);
  return found.map((what) => ({
    rule: id,
    address: resource.address,
    message: `${what}: no account key, SAS or connection string may be used; use a managed identity`,
  }));
}

/** Nothing in any stack reads or passes on an account key, SAS or connection string. */
export const storageSecrets: Rule = { id, check: (resources) => resources.flatMap(check) };
