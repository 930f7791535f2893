import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule/index.js';
import type { Network } from './Network.js';
import type { OdpStack } from './OdpStack.js';

interface TrafficRule {
  name: string;
  direction: 'Inbound' | 'Outbound';
  access: 'Allow' | 'Deny';
  priority: number;
  /** Address prefix or service tag on the far side: the source inbound, the destination outbound. */
  peer: string;
  protocol?: 'Tcp' | '*';
  port?: string;
  why: string;
}

/**
 * What the runner subnet may reach, and nothing else: the runners run pull requests' code, so they must not
 * become a way into the cluster, the database or the VPN clients. Azure's default rules allow the whole
 * virtual network both ways; the denies below override them.
 */
function rules(stack: OdpStack): TrafficRule[] {
  const { subnets } = stack.config.network;
  return [
    {
      name: 'allow-load-balancer-in',
      direction: 'Inbound',
      access: 'Allow',
      priority: 100,
      peer: 'AzureLoadBalancer',
      why: 'Container Apps health probes.',
    },
    {
      name: 'allow-runner-subnet-in',
      direction: 'Inbound',
      access: 'Allow',
      priority: 110,
      peer: subnets.runners,
      why: 'The Container Apps environment talks to itself.',
    },
    {
      name: 'deny-all-in',
      direction: 'Inbound',
      access: 'Deny',
      priority: 4096,
      peer: '*',
      why: 'Nothing else connects to a runner.',
    },
    {
      name: 'allow-private-endpoints-https',
      direction: 'Outbound',
      access: 'Allow',
      priority: 100,
      peer: subnets.privateEndpoints,
      protocol: 'Tcp',
      port: '443',
      why: 'The state account and the vaults, over their private endpoints.',
    },
    {
      name: 'allow-runner-subnet-out',
      direction: 'Outbound',
      access: 'Allow',
      priority: 110,
      peer: subnets.runners,
      why: 'The Container Apps environment talks to itself.',
    },
    {
      name: 'allow-entra-id',
      direction: 'Outbound',
      access: 'Allow',
      priority: 120,
      peer: 'AzureActiveDirectory',
      protocol: 'Tcp',
      port: '443',
      why: 'OIDC token exchange.',
    },
    {
      name: 'allow-resource-manager',
      direction: 'Outbound',
      access: 'Allow',
      priority: 130,
      peer: 'AzureResourceManager',
      protocol: 'Tcp',
      port: '443',
      why: 'Terraform plans and applies through Azure Resource Manager.',
    },
    {
      name: 'allow-container-platform',
      direction: 'Outbound',
      access: 'Allow',
      priority: 140,
      peer: 'MicrosoftContainerRegistry',
      protocol: 'Tcp',
      port: '443',
      why: 'Container Apps pulls its own system images.',
    },
    {
      name: 'allow-front-door-first-party',
      direction: 'Outbound',
      access: 'Allow',
      priority: 150,
      peer: 'AzureFrontDoor.FirstParty',
      protocol: 'Tcp',
      port: '443',
      why: 'A dependency of the Microsoft Container Registry tag.',
    },
    {
      name: 'allow-internet-https',
      direction: 'Outbound',
      access: 'Allow',
      priority: 160,
      peer: 'Internet',
      protocol: 'Tcp',
      port: '443',
      why: 'GitHub (which publishes no service tag), the runner image, npm and Terraform downloads.',
    },
    {
      name: 'deny-virtual-network-out',
      direction: 'Outbound',
      access: 'Deny',
      priority: 4000,
      peer: 'VirtualNetwork',
      why: 'Not the cluster, the database, the gateway or the VPN clients.',
    },
    {
      name: 'deny-all-out',
      direction: 'Outbound',
      access: 'Deny',
      priority: 4096,
      peer: '*',
      why: 'Everything not allowed above.',
    },
  ];
}

/** The runner subnet's security rules. */
export function runnerTraffic(stack: OdpStack, network: Network): void {
  const group = network.securityGroups.runners;
  for (const rule of rules(stack)) {
    const inbound = rule.direction === 'Inbound';
    new NetworkSecurityRule(stack, `runners_${rule.name.replaceAll('-', '_')}`, {
      name: rule.name,
      resourceGroupName: stack.group.name,
      networkSecurityGroupName: group.name,
      direction: rule.direction,
      access: rule.access,
      priority: rule.priority,
      protocol: rule.protocol ?? '*',
      sourcePortRange: '*',
      destinationPortRange: rule.port ?? '*',
      sourceAddressPrefix: inbound ? rule.peer : stack.config.network.subnets.runners,
      destinationAddressPrefix: inbound ? stack.config.network.subnets.runners : rule.peer,
      description: rule.why,
    });
  }
}
