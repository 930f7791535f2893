import type { ResourceView, Rule } from '../ResourceView.js';
import { blocks, ofType, pointsAt, resolve } from '../references.js';

const gatewaySubnetName = 'GatewaySubnet';
const subnetId = /\/virtualNetworks\/([^/]+)\/subnets\/([^/]+)$/i;

interface Placement {
  subnet: string;
  /** The VNet's name, or the VNet resource when referenced by interpolation. */
  network: unknown;
}

/** Which subnet (and VNet) a gateway's ip_configuration puts it in, as far as the view tells. */
function placementOf(gateway: ResourceView, resources: readonly ResourceView[]): Placement | undefined {
  const [configuration] = blocks(gateway.values.ip_configuration);
  const value = configuration?.subnet_id;
  const subnet = resolve(value, resources);
  if (subnet && typeof subnet.values.name === 'string') {
    return { subnet: subnet.values.name, network: subnet.values.virtual_network_name };
  }
  const parsed = typeof value === 'string' ? value.match(subnetId) : null;
  return parsed ? { subnet: parsed[2] ?? '', network: parsed[1] } : undefined;
}

const isVpnGateway = (gateway: ResourceView) => gateway.values.type === 'Vpn';

/** Every virtual network gateway is a VPN gateway in the `GatewaySubnet`, as Azure requires. */
export const vpnGateway: Rule = {
  id: 'vpn-gateway',
  check: (resources) =>
    ofType(resources, 'azurerm_virtual_network_gateway')
      .filter(
        (gateway) => !isVpnGateway(gateway) || placementOf(gateway, resources)?.subnet !== gatewaySubnetName,
      )
      .map((gateway) => ({
        rule: 'vpn-gateway',
        address: gateway.address,
        message: `must be type "Vpn" in a subnet named ${gatewaySubnetName} (type ${JSON.stringify(gateway.values.type)}, subnet ${JSON.stringify(placementOf(gateway, resources)?.subnet ?? 'unknown')})`,
      })),
};

/**
 * Deployment-wide: every virtual network of the deployment has a VPN gateway in its `GatewaySubnet`.
 * Only meaningful over all stacks together, since the gateway lives in its own stack.
 */
export const vpnGatewayPresent: Rule = {
  id: 'vpn-gateway-present',
  check: (resources) => {
    const networks = ofType(resources, 'azurerm_virtual_network');
    if (networks.length === 0) {
      return [
        { rule: 'vpn-gateway-present', address: '(deployment)', message: 'declares no virtual network' },
      ];
    }
    const placements = ofType(resources, 'azurerm_virtual_network_gateway')
      .filter(isVpnGateway)
      .map((gateway) => placementOf(gateway, resources))
      .filter((placement) => placement?.subnet === gatewaySubnetName);
    return networks
      .filter(
        (network) =>
          !placements.some(
            (placement) =>
              placement?.network === network.values.name || pointsAt(placement?.network, network),
          ),
      )
      .map((network) => ({
        rule: 'vpn-gateway-present',
        address: network.address,
        message: `has no VPN gateway in its ${gatewaySubnetName}`,
      }));
  },
};
