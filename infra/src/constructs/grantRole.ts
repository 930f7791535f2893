import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment/index.js';
import type { OdpStack } from './OdpStack.js';

export interface RoleGrant {
  /** A built-in role, by name. */
  role: string;
  /** Id of the resource the role applies to, and to everything under it. */
  scope: string;
  principalId: string;
  /** Managed identities are service principals (the default); administrators get roles as their group. */
  principalType?: 'ServicePrincipal' | 'Group';
  description?: string;
  /** An ABAC condition that narrows what the role allows. */
  condition?: string;
}

/** A role assignment, made at stack scope so its address stays `azurerm_role_assignment.<id>`. */
export function grantRole(stack: OdpStack, id: string, grant: RoleGrant): RoleAssignment {
  const { role, principalType = 'ServicePrincipal', condition, ...assignment } = grant;
  return new RoleAssignment(stack, id, {
    ...assignment,
    roleDefinitionName: role,
    principalType,
    ...(condition === undefined ? {} : { condition, conditionVersion: '2.0' }),
  });
}
