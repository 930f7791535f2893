import { expect } from 'chai';
import {
  COMMENT_LIMIT,
  type PlanJson,
  parsePlanJson,
  planIdentity,
  renderPlanComment,
  SecretMask,
  type StackPlan,
  summarizePlan,
} from '../src/index.js';
import { policyFindings } from '../src/policy.js';
import { expectGolden, fixture } from './golden.js';

const RUN = 'https://github.com/odp-example/platform/actions/runs/42';

async function stackPlan(
  name: string,
  transform: (plan: PlanJson, text: string) => [PlanJson, string] = (p, t) => [p, t],
) {
  const raw = JSON.parse(await fixture(`${name}.plan.json`)) as unknown;
  const [plan, text] = transform(parsePlanJson(raw, name), await fixture(`${name}.plan.txt`));
  const mask = SecretMask.create([plan], []);
  const result: StackPlan = {
    stack: 'platform',
    summary: summarizePlan(plan),
    findings: policyFindings(plan),
    identity: planIdentity({
      stack: 'platform',
      plan,
      configHash: 'sha256:config',
      lockHash: 'sha256:lock',
      state: { serial: 6, lineage: 'lineage' },
    }),
    planText: mask.apply(text),
    runUrl: RUN,
    artifactName: 'infra-plan-platform-pr7',
  };
  return result;
}

describe('renderPlanComment', () => {
  it('renders a plan with sensitive values without any of them', async () => {
    const plan = await stackPlan('sensitive');
    const body = renderPlanComment(plan, { kind: 'planned' });
    await expectGolden('sensitive.golden', body);
    for (const secret of ['s3cr3t-value-123', 'n3w-s3cr3t-456']) expect(body).not.to.include(secret);
    expect(body).to.include('~ output = "***" -> (known after apply)');
  });

  it('puts the policy findings, moves and drift of a plan where reviewers look first', async () => {
    const body = renderPlanComment(await stackPlan('policy'), { kind: 'planned' });
    await expectGolden('policy.golden', body);
    const caution = body.indexOf('[!CAUTION]');
    expect(caution).to.be.greaterThan(0).and.lessThan(body.indexOf('<details>'));
    expect(body).to.include(
      '`storage-public-network-access` on `azurerm_storage_account.lake`: public_network_access_enabled must be false',
    );
    expect(body).to.include('`aks-host-encryption` on `azurerm_kubernetes_cluster.aks`');
    expect(body).to.include('- `azurerm_kubernetes_cluster.aks` (from `azurerm_kubernetes_cluster.main`)');
    expect(body).to.include('<summary>Changed outside Terraform (1)</summary>');
  });

  it('cuts a plan over the comment limit at a line, pointing to the summary and the artifact', async () => {
    const plan = await stackPlan('sensitive', bulk(400));
    expect(plan.planText.length).to.be.greaterThan(COMMENT_LIMIT);
    const body = renderPlanComment(plan, { kind: 'planned' });
    await expectGolden('large.golden', body);
    expect(Buffer.byteLength(body)).to.be.at.most(COMMENT_LIMIT);
    expect(body).to.match(/_Plan text cut after \d+ of 2\d{3} lines to fit GitHub's comment limit\. /);
    expect(body).to.include(
      `The full plan is in the [job summary](${RUN}) and in the artifact \`infra-plan-platform-pr7\`._`,
    );
    expect(body).to.include('<summary>Create (401)</summary>');
    const whole = renderPlanComment(plan, { kind: 'planned' }, 1_000_000);
    expect(whole).to.include(plan.planText);
  });

  it('lists only counts when even the resource lists would not fit', async () => {
    const plan = await stackPlan('sensitive', bulk(3000));
    const body = renderPlanComment(plan, { kind: 'planned' });
    expect(Buffer.byteLength(body)).to.be.at.most(COMMENT_LIMIT);
    expect(body).to.include('Resource lists are in the [job summary]');
    expect(body).to.include('Create: 3001');
  });

  it('says so when there is nothing to change', async () => {
    const plan = await stackPlan('sensitive', (p) => [{ ...p, resource_changes: [] }, 'No changes.']);
    const body = renderPlanComment(plan, { kind: 'planned' });
    expect(body).to.include('**Plan:** no changes. The infrastructure matches the configuration.');
    expect(body).not.to.include('[!WARNING]');
  });
});

/** The fixture plus `count` more created resources, in the JSON and in the text, as a large stack plans. */
function bulk(count: number) {
  return (plan: PlanJson, text: string): [PlanJson, string] => {
    const template = plan.resource_changes.find((rc) => rc.address === 'terraform_data.new');
    if (!template) throw new Error('fixture has no terraform_data.new');
    const extra = Array.from({ length: count }, (_, i) => ({
      ...template,
      address: `terraform_data.bulk_${i}`,
      name: `bulk_${i}`,
    }));
    const blocks = extra.map(
      (rc, i) =>
        `  # ${rc.address} will be created\n  + resource "terraform_data" "bulk_${i}" {\n      + id     = (known after apply)\n      + input  = "${'x'.repeat(60)}"\n      + output = (known after apply)\n    }\n`,
    );
    const [head, tail] = text.split('\nPlan: ');
    return [
      { ...plan, resource_changes: [...plan.resource_changes, ...extra] },
      `${head}\n${blocks.join('\n')}\nPlan: ${tail}`,
    ];
  };
}
