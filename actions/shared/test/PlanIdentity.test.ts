import { expect } from 'chai';
import { identityDifferences, type PlanJson, parsePlanJson, planIdentity } from '../src/index.js';
import { fixture } from './golden.js';

const inputs = { stack: 'app', configHash: 'sha256:c', lockHash: 'none', state: { serial: 6, lineage: 'l' } };

describe('planIdentity', () => {
  let plan: PlanJson;
  beforeEach(async () => {
    plan = parsePlanJson(JSON.parse(await fixture('sensitive.plan.json')), 'fixture');
  });

  it('ignores key order, resource order, no-op resources, timestamps and the state serial', () => {
    const reordered: PlanJson = {
      ...plan,
      timestamp: '2030-01-01T00:00:00Z',
      resource_changes: [...plan.resource_changes]
        .reverse()
        .filter((rc) => rc.change.actions[0] !== 'no-op')
        .map(reverseKeys) as PlanJson['resource_changes'],
    };
    const a = planIdentity({ ...inputs, plan });
    const b = planIdentity({ ...inputs, plan: reordered, state: { serial: 9, lineage: 'l' } });
    expect(b.fingerprint).to.equal(a.fingerprint);
    expect(identityDifferences(a, b)).to.deep.equal([]);
  });

  it('changes with any planned value, the configuration or the lock file', () => {
    const base = planIdentity({ ...inputs, plan });
    const edited = structuredClone(plan);
    const upd = edited.resource_changes.find((rc) => rc.address === 'terraform_data.upd');
    (upd?.change.after as Record<string, unknown>).input = 'v3';
    const changed = planIdentity({ ...inputs, plan: edited });
    expect(changed.fingerprint).not.to.equal(base.fingerprint);
    expect(identityDifferences(base, changed)).to.deep.equal([
      { address: 'terraform_data.upd', reviewed: 'update', now: 'update' },
    ]);
    expect(planIdentity({ ...inputs, plan, configHash: 'sha256:d' }).fingerprint).not.to.equal(
      base.fingerprint,
    );
    expect(planIdentity({ ...inputs, plan, lockHash: 'sha256:l' }).fingerprint).not.to.equal(
      base.fingerprint,
    );
  });

  it('names resources that appear in or vanish from the plan', () => {
    const base = planIdentity({ ...inputs, plan });
    const fewer = {
      ...plan,
      resource_changes: plan.resource_changes.filter((rc) => rc.address !== 'terraform_data.gone'),
    };
    expect(identityDifferences(base, planIdentity({ ...inputs, plan: fewer }))).to.deep.equal([
      { address: 'terraform_data.gone', reviewed: 'delete', now: null },
    ]);
  });
});

describe('parsePlanJson', () => {
  it('says where a document is not a plan', () => {
    expect(() =>
      parsePlanJson({ format_version: '1.2', resource_changes: [{ address: 1 }] }, 'the plan of stack x'),
    ).to.throw(/^the plan of stack x is not a Terraform JSON plan: resource_changes\.0\.address: /);
  });
});

/** The same value with every object's keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  );
}
