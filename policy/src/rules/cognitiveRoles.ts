import { LANGUAGE_MODEL_CALLER } from '../environment.js';
import { assignedRole, identityGrants } from '../identities/identityGrants.js';
import type { Finding, ResourceView, Rule } from '../ResourceView.js';
import { ofType, resolve } from '../references.js';
import type { RoleDefinition } from '../roles/builtInRoles.js';

const id = 'cognitive-roles';
const accountTypes = new Set(['azurerm_cognitive_account', 'azurerm_cognitive_deployment']);
const accountScope = /\/providers\/Microsoft\.CognitiveServices\/accounts\/[^/]+/i;
// Data actions that call a model: the OpenAI data plane, or all of Azure AI services'.
const callsModel = /^(\*|Microsoft\.CognitiveServices\/(\*|accounts\/(\*|OpenAI\/)))/i;
// Management actions that could change an account (keys, network access, deployments) or who may call it.
const manages = /^(\*|Microsoft\.CognitiveServices\/|Microsoft\.Authorization\/)/i;

const allowed = (permissions: readonly string[], excluded: readonly string[]) => {
  const removed = new Set(excluded.map((permission) => permission.toLowerCase()));
  return permissions.filter((permission) => !removed.has(permission.toLowerCase()));
};
const modelCalls = (role: RoleDefinition) =>
  allowed(role.dataActions, role.notDataActions).filter((permission) => callsModel.test(permission));
const management = (role: RoleDefinition) =>
  allowed(role.actions, role.notActions)
    .filter((permission) => !/\/read$/i.test(permission))
    .filter((permission) => manages.test(permission));

/** Whether a role assignment's scope is an Azure AI services account or something inside it. */
function onAccount(scope: unknown, resources: readonly ResourceView[]): boolean {
  const target = resolve(scope, resources);
  if (target) return accountTypes.has(target.type);
  return typeof scope === 'string' && accountScope.test(scope);
}

function check(resources: readonly ResourceView[]): Finding[] {
  const callerGrants = new Set(
    identityGrants(resources)
      .filter(({ name }) => name === LANGUAGE_MODEL_CALLER)
      .flatMap(({ grants }) => grants.map(({ address }) => address)),
  );
  return ofType(resources, 'azurerm_role_assignment').flatMap((assignment): Finding[] => {
    const { scope, principal_id: principal } = assignment.values;
    const account = onAccount(scope, resources);
    const { label, definition } = assignedRole(assignment, resources);
    const finding = (message: string): Finding[] => [{ rule: id, address: assignment.address, message }];
    if (!definition) {
      return account
        ? finding(
            `grants ${label} on a language model account, and the policy does not know that role's permissions: add its definition to policy/src/roles/builtInRoles.ts`,
          )
        : [];
    }
    const calls = modelCalls(definition);
    const problems: string[] = [];
    if (calls.length > 0 && !callerGrants.has(assignment.address)) {
      problems.push(
        `it lets ${JSON.stringify(principal)} call language models (${calls.join(', ')}), which only ${LANGUAGE_MODEL_CALLER}, the ingest identity, may do`,
      );
    }
    if (calls.length > 0 && !account) {
      problems.push(
        `its scope ${JSON.stringify(scope)} is wider than one language model account: grant it on the account alone`,
      );
    }
    const changes = account ? management(definition) : [];
    if (changes.length > 0) {
      problems.push(
        `${changes.join(', ')} would let ${JSON.stringify(principal)} change the account (keys, network access, deployments) or who may call it, which only Terraform does`,
      );
    }
    return problems.length === 0 ? [] : finding(`grants ${label}: ${problems.join('; ')}`);
  });
}

/**
 * Who may reach a language model account: only the ingest identity holds a role that calls models, granted on
 * the account alone; no one holds a role on the account that manages it (Owner, Contributor, Cognitive Services
 * Contributor, role assignments). Roles are judged by their definitions, never by their names.
 */
export const cognitiveRoles: Rule = { id, check };
