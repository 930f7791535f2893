import type { Finding, ResourceView, Rule } from '../ResourceView.js';

const id = 'no-workloads';
// Terraform installs Flux; images are built by CI and pods are created by Flux from Git.
const forbidden = [
  { pattern: /^(kubernetes|kubectl|helm)_/, why: 'creates Kubernetes objects; Flux creates them from Git' },
  { pattern: /^docker_/, why: 'builds or runs images; CI builds images' },
  { pattern: /^azurerm_container_registry_task/, why: 'builds images; CI builds images' },
];

function check(resource: ResourceView): Finding[] {
  const findings: Finding[] = forbidden
    .filter(({ pattern }) => pattern.test(resource.type))
    .map(({ why }) => ({ rule: id, address: resource.address, message: `${resource.type} ${why}` }));
  if (resource.values.provisioner !== undefined) {
    findings.push({
      rule: id,
      address: resource.address,
      message:
        'runs a provisioner; infrastructure code must not run scripts that build images or deploy workloads',
    });
  }
  return findings;
}

/** No stack builds images or creates Kubernetes workloads. */
export const noWorkloads: Rule = { id, check: (resources) => resources.flatMap(check) };
