import { CognitiveAccount } from '@cdktf/provider-azurerm/lib/cognitive-account/index.js';
import { CognitiveDeployment } from '@cdktf/provider-azurerm/lib/cognitive-deployment/index.js';
import type { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity/index.js';
import { grantRole } from './grantRole.js';
import type { OdpStack } from './OdpStack.js';
import { privateEndpoint } from './privateEndpoint.js';

export interface LanguageModelProps {
  subnetId: string;
  /** `privatelink.openai.azure.com`, linked to the VNet. */
  privateDnsZoneId: string;
  /** The one identity that calls the model: the ingest CronJobs', which summarise what they ingest. */
  caller: UserAssignedIdentity;
}

/**
 * Azure OpenAI as the environment's policies allow it: reached only over its private endpoint, Entra ID sign-in
 * only (no API key works), and one model deployment that only the ingest identity may call.
 */
export class LanguageModel {
  readonly account: CognitiveAccount;
  readonly deployment: CognitiveDeployment;

  constructor(stack: OdpStack, props: LanguageModelProps) {
    const { languageModel } = stack.config;
    this.account = new CognitiveAccount(stack, 'openai', {
      ...stack.placement,
      name: languageModel.account,
      kind: 'OpenAI',
      skuName: 'S0',
      // Entra ID tokens are accepted only at an account's own subdomain, never at the regional endpoint.
      customSubdomainName: languageModel.account,
      localAuthEnabled: false,
      publicNetworkAccessEnabled: false,
      networkAcls: { defaultAction: 'Deny', bypass: 'None' },
      // The model answers requests and fetches nothing itself, so the account may reach nothing outside.
      outboundNetworkAccessRestricted: true,
      // An identity of its own, holding no role: what customer-managed keys would use, never a caller's.
      identity: { type: 'SystemAssigned' },
    });
    privateEndpoint(stack, 'openai_account', languageModel.account, {
      target: this.account.id,
      subresource: 'account',
      subnetId: props.subnetId,
      privateDnsZoneId: props.privateDnsZoneId,
    });
    this.deployment = new CognitiveDeployment(stack, 'openai_model', {
      name: languageModel.deployment,
      cognitiveAccountId: this.account.id,
      model: { format: 'OpenAI', name: languageModel.model.name, version: languageModel.model.version },
      sku: { name: languageModel.sku, capacity: languageModel.capacity },
      // The configured version stays until Azure retires it; then Azure moves to the next rather than stopping.
      versionUpgradeOption: 'OnceCurrentVersionExpired',
    });
    grantRole(stack, 'service_openai', {
      scope: this.account.id,
      role: 'Cognitive Services OpenAI User',
      principalId: props.caller.principalId,
      description: 'The ingest CronJobs summarise texts with the model; nothing else may call it.',
    });
  }
}
