import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group/index.js';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone/index.js';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link/index.js';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet/index.js';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association/index.js';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network/index.js';
import { privateDnsZoneNames, subnetNames } from '../network.js';
import type { OdpStack } from './OdpStack.js';

type ZoneKey = keyof ReturnType<typeof privateDnsZoneNames>;
type SubnetKey = 'privateEndpoints' | 'postgres' | 'runners' | 'aks';

/**
 * The network foundation every stack builds on: the virtual network, its subnets with their NSGs, and the
 * private DNS zones linked to it. The other stacks look these up by name (`NetworkLookup`).
 */
export class Network {
  readonly subnets: Record<SubnetKey, Subnet>;
  readonly securityGroups: Record<SubnetKey, NetworkSecurityGroup>;
  readonly zones: Record<ZoneKey, PrivateDnsZone>;

  constructor(stack: OdpStack) {
    const { config, placement } = stack;
    const network = new VirtualNetwork(stack, 'network', {
      ...placement,
      name: config.network.name,
      addressSpace: [config.network.addressSpace],
    });
    const subnet = (key: keyof typeof subnetNames, delegation?: { name: string; actions: string[] }) =>
      new Subnet(stack, `subnet_${key}`, {
        name: subnetNames[key],
        resourceGroupName: stack.group.name,
        virtualNetworkName: network.name,
        addressPrefixes: [config.network.subnets[key]],
        ...(key === 'privateEndpoints' ? { privateEndpointNetworkPolicies: 'Enabled' } : {}),
        ...(delegation
          ? {
              delegation: [
                {
                  name: delegation.name,
                  serviceDelegation: { name: delegation.name, actions: delegation.actions },
                },
              ],
            }
          : {}),
      });
    subnet('gateway');
    this.subnets = {
      privateEndpoints: subnet('privateEndpoints'),
      postgres: subnet('postgres', {
        name: 'Microsoft.DBforPostgreSQL/flexibleServers',
        actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
      }),
      runners: subnet('runners', {
        name: 'Microsoft.App/environments',
        actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
      }),
      aks: subnet('aks'),
    };
    // The gateway subnet takes no NSG (Azure rejects one); every other subnet gets its own. Rules belong to
    // the part that knows its traffic (Runners for the runner subnet).
    this.securityGroups = Object.fromEntries(
      Object.entries(this.subnets).map(([key, target]) => {
        const group = new NetworkSecurityGroup(stack, `nsg_${key}`, {
          ...placement,
          name: `nsg-${target.name}`,
        });
        new SubnetNetworkSecurityGroupAssociation(stack, `nsg_${key}_association`, {
          subnetId: target.id,
          networkSecurityGroupId: group.id,
        });
        return [key, group];
      }),
    ) as Record<SubnetKey, NetworkSecurityGroup>;

    this.zones = Object.fromEntries(
      Object.entries(privateDnsZoneNames(config)).map(([key, name]) => {
        const zone = new PrivateDnsZone(stack, `zone_${key}`, {
          name,
          resourceGroupName: stack.group.name,
          tags: placement.tags,
        });
        new PrivateDnsZoneVirtualNetworkLink(stack, `zone_${key}_link`, {
          name: `link-${config.network.name}`,
          resourceGroupName: stack.group.name,
          privateDnsZoneName: zone.name,
          virtualNetworkId: network.id,
          registrationEnabled: false,
          tags: placement.tags,
        });
        return [key, zone];
      }),
    ) as Record<ZoneKey, PrivateDnsZone>;
  }
}
