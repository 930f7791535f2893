import { DataAzurermSubnet } from '@cdktf/provider-azurerm/lib/data-azurerm-subnet/index.js';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip/index.js';
import { VirtualNetworkGateway } from '@cdktf/provider-azurerm/lib/virtual-network-gateway/index.js';
import type { Construct } from 'constructs';
import type { OdpConfig } from '../config.js';
import { OdpStack } from '../constructs/OdpStack.js';
import { subnetNames } from '../network.js';

// The Microsoft-registered Azure VPN Client application, the audience of point-to-site Entra ID sign-in.
const azureVpnClientAudience = 'c632b3df-fb67-4d84-bdcf-b95ad541b5c8';

/**
 * The VPN gateway people use to reach the private cluster, database and storage. Its own stack: it takes
 * 30 to 60 minutes to create and rarely changes, so platform releases never wait for it.
 */
export class VpnStack extends OdpStack {
  constructor(scope: Construct, id: string, config: OdpConfig) {
    super(scope, id, config);
    const { placement } = this;
    const gatewaySubnet = new DataAzurermSubnet(this, 'gateway', {
      name: subnetNames.gateway,
      virtualNetworkName: config.network.name,
      resourceGroupName: this.group.name,
    });
    // Zone-redundant gateway SKUs need a Standard, static, zone-redundant address.
    const address = new PublicIp(this, 'gateway_address', {
      ...placement,
      name: config.vpn.publicIp,
      sku: 'Standard',
      allocationMethod: 'Static',
      zones: ['1', '2', '3'],
    });
    const tenant = this.client.tenantId;
    new VirtualNetworkGateway(this, 'vpn', {
      ...placement,
      name: config.vpn.gateway,
      type: 'Vpn',
      vpnType: 'RouteBased',
      sku: config.vpn.sku,
      generation: 'Generation1',
      activeActive: false,
      ipConfiguration: [
        {
          name: 'default',
          publicIpAddressId: address.id,
          privateIpAddressAllocation: 'Dynamic',
          subnetId: gatewaySubnet.id,
        },
      ],
      vpnClientConfiguration: {
        addressSpace: [config.vpn.clientAddressPool],
        vpnClientProtocols: ['OpenVPN'],
        vpnAuthTypes: ['AAD'],
        // Azure requires the trailing slashes.
        aadTenant: `https://login.microsoftonline.com/${tenant}/`,
        aadIssuer: `https://sts.windows.net/${tenant}/`,
        aadAudience: azureVpnClientAudience,
      },
    });
  }
}
