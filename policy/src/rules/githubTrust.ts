import { identityGrants } from '../identities/identityGrants.js';
import type { Finding, Rule } from '../ResourceView.js';

const id = 'github-trust';

/**
 * Only a deployment environment (where required reviewers approve each run) may hand out an identity that
 * changes anything: an identity GitHub trusts from a pull request, a branch, a tag or any other subject holds
 * roles that only read. Pull requests run code their author controls, so whatever such a run can sign in as,
 * anyone who can push a branch can use.
 */
export const githubTrust: Rule = {
  id,
  check: (resources) =>
    identityGrants(resources).flatMap((identity): Finding[] => {
      const untrusted = identity.trustedFrom.filter(
        (trust) => trust.github !== undefined && trust.github !== 'environment',
      );
      if (untrusted.length === 0) return [];
      const from = untrusted.map((trust) => trust.subject).join(', ');
      return identity.grants.flatMap((grant): Finding[] => {
        if (grant.beyondReading === null) {
          return [
            {
              rule: id,
              address: grant.address,
              message: `grants ${grant.role} to ${identity.name}, which GitHub trusts from ${from}, and the policy does not know that role's permissions: add its definition to policy/src/roles/builtInRoles.ts`,
            },
          ];
        }
        if (grant.beyondReading.length === 0) return [];
        return [
          {
            rule: id,
            address: grant.address,
            message: `grants ${grant.role} to ${identity.name}, which GitHub trusts from ${from}: ${grant.beyondReading.join(', ')} ${grant.beyondReading.length === 1 ? 'goes' : 'go'} beyond reading; only a deployment environment with required reviewers may be trusted with changes`,
          },
        ];
      });
    }),
};
