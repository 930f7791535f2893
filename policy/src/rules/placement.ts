import { REQUIRED_LOCATION, REQUIRED_RESOURCE_GROUP } from '../environment.js';
import type { Finding, ResourceView, Rule } from '../ResourceView.js';
import { referencedAddresses, resolve } from '../references.js';

const managed = (resources: readonly ResourceView[]) =>
  resources.filter(({ address }) => !address.startsWith('data.'));
const normalize = (location: string) => location.replaceAll(' ', '').toLowerCase();

function isRequiredGroup(resource: ResourceView | undefined): boolean {
  return resource?.type === 'azurerm_resource_group' && resource.values.name === REQUIRED_RESOURCE_GROUP;
}

/** The region a location value ends up as, following references; undefined when it cannot be traced. */
function traceLocation(value: unknown, resources: readonly ResourceView[], hops = 0): string | undefined {
  if (typeof value !== 'string' || hops > 8) return undefined;
  if (referencedAddresses(value).length === 0) return normalize(value);
  const target = resolve(value, resources);
  if (target?.values.location !== undefined)
    return traceLocation(target.values.location, resources, hops + 1);
  // A looked-up resource group: the bootstrap stack creates it, and this rule pins its region there.
  return isRequiredGroup(target) ? REQUIRED_LOCATION : undefined;
}

export const requiredLocation: Rule = {
  id: 'required-location',
  check: (resources) =>
    managed(resources)
      .filter((resource) => resource.values.location !== undefined)
      .flatMap((resource): Finding[] => {
        const location = traceLocation(resource.values.location, resources);
        if (location === REQUIRED_LOCATION) return [];
        return [
          {
            rule: 'required-location',
            address: resource.address,
            message: `location ${JSON.stringify(resource.values.location)} ${location === undefined ? 'cannot be traced to' : 'is not'} ${REQUIRED_LOCATION}, the only region this subscription allows`,
          },
        ];
      }),
};

function inRequiredGroup(resource: ResourceView, resources: readonly ResourceView[]): boolean {
  if (resource.type === 'azurerm_resource_group') return resource.values.name === REQUIRED_RESOURCE_GROUP;
  const group = resource.values.resource_group_name;
  if (group === undefined || group === REQUIRED_RESOURCE_GROUP) return true;
  return referencedAddresses(group).length > 0 && isRequiredGroup(resolve(group, resources));
}

export const requiredResourceGroup: Rule = {
  id: 'required-resource-group',
  check: (resources) =>
    managed(resources)
      .filter((resource) => !inRequiredGroup(resource, resources))
      .map((resource) => {
        const attribute = resource.type === 'azurerm_resource_group' ? 'name' : 'resource_group_name';
        return {
          rule: 'required-resource-group',
          address: resource.address,
          message: `${attribute} ${JSON.stringify(resource.values[attribute])} is not ${REQUIRED_RESOURCE_GROUP}, the resource group ODP is given`,
        };
      }),
};
