import type { Finding, ResourceView, Rule } from './ResourceView.js';
import { aksHostEncryption } from './rules/aksHostEncryption.js';
import { cognitiveRoles } from './rules/cognitiveRoles.js';
import { githubTrust } from './rules/githubTrust.js';
import {
  cognitiveLocalAuth,
  cognitivePublicNetworkAccess,
  storagePublicNetworkAccess,
  storageSharedKey,
} from './rules/lockdown.js';
import { noWorkloads } from './rules/noWorkloads.js';
import { requiredLocation, requiredResourceGroup } from './rules/placement.js';
import { cognitivePrivateEndpoint, storagePrivateEndpoint } from './rules/privateEndpoint.js';
import { storageManagedIdentity } from './rules/storageManagedIdentity.js';
import { storageSecrets } from './rules/storageSecrets.js';
import { vpnGateway, vpnGatewayPresent } from './rules/vpnGateway.js';

/** Rules that hold for every stack on its own. */
export const stackRules: readonly Rule[] = [
  storagePublicNetworkAccess,
  storageSharedKey,
  storageSecrets,
  storagePrivateEndpoint,
  storageManagedIdentity,
  cognitivePublicNetworkAccess,
  cognitiveLocalAuth,
  cognitivePrivateEndpoint,
  cognitiveRoles,
  aksHostEncryption,
  requiredLocation,
  requiredResourceGroup,
  vpnGateway,
  noWorkloads,
  githubTrust,
];

/** The environment's hard policies over the resources of one stack (or several). */
export function checkPolicies(resources: readonly ResourceView[]): Finding[] {
  return stackRules.flatMap((rule) => rule.check(resources));
}

/** {@link checkPolicies} plus the rules that need every stack at once (the VPN gateway's own stack). */
export function checkDeploymentPolicies(resources: readonly ResourceView[]): Finding[] {
  return [...checkPolicies(resources), ...vpnGatewayPresent.check(resources)];
}
