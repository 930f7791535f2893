import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { configHash, listStacks, lockHash } from '../src/index.js';
import { backendType } from '../src/terraform/Stack.js';

describe('stacks', () => {
  let dir: string;
  const write = async (path: string, text: string) => {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'odp-stacks-'));
    await write(
      'platform/cdk.tf.json',
      JSON.stringify({
        terraform: { backend: { azurerm: { key: 'platform.tfstate', use_azuread_auth: true } } },
      }),
    );
    await write('vpn/main.tf', 'resource "terraform_data" "x" {}\n');
    await write('notes/README.md', 'not a stack');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists directories with Terraform files, and names unknown ones', async () => {
    expect((await listStacks(dir, [])).map((s) => s.name)).to.deep.equal(['platform', 'vpn']);
    expect((await listStacks(dir, ['vpn'])).map((s) => s.name)).to.deep.equal(['vpn']);
    await listStacks(dir, ['vpn', 'bootstrap']).then(
      () => expect.fail('should reject'),
      (error: Error) =>
        expect(error.message).to.equal(`stacks bootstrap not found in ${dir} (found: platform, vpn)`),
    );
    await listStacks(join(dir, 'missing'), []).then(
      () => expect.fail('should reject'),
      (error: Error) => expect(error.message).to.include('does not exist: did the synth command write it?'),
    );
  });

  it('hashes the configuration without Terraform working files, and the lock file apart', async () => {
    const [platform] = await listStacks(dir, ['platform']);
    if (!platform) throw new Error('no platform stack');
    const before = await configHash(platform);
    expect(await lockHash(platform)).to.equal('none');
    await write('platform/.terraform/terraform.tfstate', '{}');
    await write('platform/.terraform.lock.hcl', 'provider "x" {}');
    expect(await configHash(platform)).to.equal(before);
    expect(await lockHash(platform)).to.match(/^sha256:[0-9a-f]{64}$/);
    await write('platform/cdk.tf.json', '{}');
    expect(await configHash(platform)).not.to.equal(before);
  });

  it('reads the backend type from the synthesized JSON', async () => {
    const [platform, vpn] = await listStacks(dir, []);
    if (!platform || !vpn) throw new Error('missing stacks');
    expect(await backendType(platform)).to.equal('azurerm');
    expect(await backendType(vpn)).to.equal(null);
  });
});
