import type { ResourceView } from '../ResourceView.js';
import { block, ofType, referencedAddresses } from '../references.js';
import { permissionsBeyondReading } from '../roles/beyondReading.js';
import { builtInRole, type RoleDefinition } from '../roles/builtInRoles.js';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

/** Which GitHub runs a federated credential trusts, by the shape of its subject. */
export type TrustKind = 'environment' | 'pull_request' | 'branch' | 'tag' | 'other';

export interface Trust {
  /** The federated credential's address. */
  address: string;
  issuer: string;
  subject: string;
  /** Set for GitHub Actions subjects only. */
  github?: TrustKind;
}

export interface Grant {
  /** The role assignment's address. */
  address: string;
  role: string;
  scope: unknown;
  /** The role's permissions beyond reading, or null when the role's definition is not known. */
  beyondReading: string[] | null;
}

/** A user-assigned identity (declared or looked up, in any stack, joined by name): who it trusts and what it holds. */
export interface IdentityGrants {
  name: string;
  addresses: string[];
  trustedFrom: Trust[];
  grants: Grant[];
}

export function githubTrustKind(subject: string): TrustKind {
  if (/:environment:[^:]+$/.test(subject)) return 'environment';
  if (/:pull_request$/.test(subject)) return 'pull_request';
  if (/:ref:refs\/heads\//.test(subject)) return 'branch';
  if (/:ref:refs\/tags\//.test(subject)) return 'tag';
  return 'other';
}

const identityTypes = new Set(['azurerm_user_assigned_identity']);

/** The identity a value points at: by `${…}` reference (synthesized JSON) or by its known id or principal id (plans). */
function identityOf(value: unknown, identities: readonly ResourceView[], attribute: 'id' | 'principal_id') {
  if (typeof value !== 'string' || value === '') return undefined;
  const addresses = referencedAddresses(value);
  if (addresses.length > 0) return identities.find((identity) => addresses.includes(identity.address));
  return identities.find((identity) => {
    const known = identity.values[attribute];
    return typeof known === 'string' && known.toLowerCase() === value.toLowerCase();
  });
}

function customRole(value: unknown, resources: readonly ResourceView[]): RoleDefinition | undefined {
  const addresses = referencedAddresses(value);
  const definition = ofType(resources, 'azurerm_role_definition').find(
    (candidate) =>
      addresses.includes(candidate.address) ||
      (typeof value === 'string' && value !== '' && candidate.values.role_definition_resource_id === value),
  );
  if (!definition) return undefined;
  const permissions = block(definition.values.permissions) ?? {};
  const list = (key: string) =>
    Array.isArray(permissions[key]) ? (permissions[key] as unknown[]).map(String) : [];
  return {
    name: String(definition.values.name ?? definition.address),
    actions: list('actions'),
    notActions: list('not_actions'),
    dataActions: list('data_actions'),
    notDataActions: list('not_data_actions'),
  };
}

/** The role an assignment grants: its label, and its definition when known (built in, or declared in the deployment). */
export function assignedRole(
  assignment: ResourceView,
  resources: readonly ResourceView[],
): { label: string; definition: RoleDefinition | undefined } {
  const { role_definition_name: name, role_definition_id: id } = assignment.values;
  if (typeof name === 'string' && name !== '') return { label: name, definition: builtInRole(name) };
  const custom = customRole(id, resources);
  if (custom) return { label: custom.name, definition: custom };
  const label = typeof id === 'string' ? id : '(no role)';
  return { label, definition: typeof id === 'string' ? builtInRole(id) : undefined };
}

/**
 * Every user-assigned identity of the deployment with the federated credentials that trust it and the roles
 * assigned to it, each role's permissions computed from its definition (never judged by its name).
 */
export function identityGrants(resources: readonly ResourceView[]): IdentityGrants[] {
  const identities = resources.filter((resource) => identityTypes.has(resource.type));
  const byName = new Map<string, IdentityGrants>();
  const entryFor = (identity: ResourceView): IdentityGrants => {
    const name = typeof identity.values.name === 'string' ? identity.values.name : identity.address;
    let entry = byName.get(name);
    if (!entry) {
      entry = { name, addresses: [], trustedFrom: [], grants: [] };
      byName.set(name, entry);
    }
    if (!entry.addresses.includes(identity.address)) entry.addresses.push(identity.address);
    return entry;
  };
  for (const identity of identities) entryFor(identity);

  for (const credential of ofType(resources, 'azurerm_federated_identity_credential')) {
    const identity = identityOf(credential.values.parent_id, identities, 'id');
    if (!identity) continue;
    const issuer = String(credential.values.issuer ?? '');
    const subject = String(credential.values.subject ?? '');
    entryFor(identity).trustedFrom.push({
      address: credential.address,
      issuer,
      subject,
      ...(issuer === GITHUB_ISSUER ? { github: githubTrustKind(subject) } : {}),
    });
  }

  for (const assignment of ofType(resources, 'azurerm_role_assignment')) {
    const identity = identityOf(assignment.values.principal_id, identities, 'principal_id');
    if (!identity) continue;
    const { label, definition } = assignedRole(assignment, resources);
    entryFor(identity).grants.push({
      address: assignment.address,
      role: label,
      scope: assignment.values.scope,
      beyondReading: definition ? permissionsBeyondReading(definition, resources) : null,
    });
  }
  return [...byName.values()];
}
