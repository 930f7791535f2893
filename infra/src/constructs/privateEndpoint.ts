import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint/index.js';
import type { OdpStack } from './OdpStack.js';

export interface PrivateEndpointProps {
  /** Resource id of the service reached. */
  target: string;
  /** One sub-resource per endpoint: Azure allows a single group id each. */
  subresource: string;
  subnetId: string;
  privateDnsZoneId: string;
}

/** A private endpoint registered in its private DNS zone, so clients in the VNet resolve the private address. */
export function privateEndpoint(stack: OdpStack, id: string, name: string, props: PrivateEndpointProps) {
  return new PrivateEndpoint(stack, id, {
    ...stack.placement,
    name: `pe-${name}-${props.subresource}`,
    subnetId: props.subnetId,
    customNetworkInterfaceName: `nic-pe-${name}-${props.subresource}`,
    privateServiceConnection: {
      name: `psc-${name}-${props.subresource}`,
      privateConnectionResourceId: props.target,
      subresourceNames: [props.subresource],
      isManualConnection: false,
    },
    privateDnsZoneGroup: { name: 'default', privateDnsZoneIds: [props.privateDnsZoneId] },
  });
}
