import { DataAzurermPrivateDnsZone } from '@cdktf/provider-azurerm/lib/data-azurerm-private-dns-zone/index.js';
import { DataAzurermSubnet } from '@cdktf/provider-azurerm/lib/data-azurerm-subnet/index.js';
import { privateDnsZoneNames, subnetNames } from '../network.js';
import type { OdpStack } from './OdpStack.js';

type PlatformSubnet = 'privateEndpoints' | 'postgres' | 'aks';
type ZoneKey = keyof ReturnType<typeof privateDnsZoneNames>;

/** The subnets and private DNS zones the bootstrap stack made, looked up by name. */
export class NetworkLookup {
  readonly subnets: Record<PlatformSubnet, DataAzurermSubnet>;
  readonly zones: Record<ZoneKey, DataAzurermPrivateDnsZone>;

  constructor(stack: OdpStack) {
    const subnet = (key: PlatformSubnet) =>
      new DataAzurermSubnet(stack, `subnet_${key}`, {
        name: subnetNames[key],
        virtualNetworkName: stack.config.network.name,
        resourceGroupName: stack.group.name,
      });
    this.subnets = {
      privateEndpoints: subnet('privateEndpoints'),
      postgres: subnet('postgres'),
      aks: subnet('aks'),
    };
    const zoneNames = privateDnsZoneNames(stack.config);
    const zone = (key: ZoneKey) =>
      new DataAzurermPrivateDnsZone(stack, `zone_${key}`, {
        name: zoneNames[key],
        resourceGroupName: stack.group.name,
      });
    this.zones = {
      blob: zone('blob'),
      dfs: zone('dfs'),
      vault: zone('vault'),
      openai: zone('openai'),
      postgres: zone('postgres'),
    };
  }
}
