import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { scratchDir, stackDir, stackNames, synthesizedStack } from './synthesized.js';

// Real Terraform over the synthesized stacks: `terraform validate`, and `terraform test` planning each
// stack with the real azurerm provider's schema and a mocked Azure (terraform-tests/<stack>.tftest.hcl).
// The provider comes from a local filesystem mirror that `npm run validate:terraform -w infra` builds from the
// Go module proxy when that mirror holds it, otherwise from the Terraform registry when the registry answers
// (as on GitHub; ODP_TERRAFORM_PROVIDERS=registry skips the mirror).
let fromRegistry = process.env.ODP_TERRAFORM_PROVIDERS === 'registry';
const mirror = process.env.ODP_TERRAFORM_MIRROR ?? join(homedir(), '.cache', 'odp', 'terraform-providers');
const required = process.env.ODP_TERRAFORM_REQUIRED === '1';

function pinnedAzurermVersion(): string {
  const terraform = synthesizedStack('platform').terraform as {
    required_providers: { azurerm: { version: string } };
  };
  return terraform.required_providers.azurerm.version;
}

function mirroredProvider(version: string): string {
  return join(
    mirror,
    'registry.terraform.io/hashicorp/azurerm',
    version,
    'linux_amd64',
    `terraform-provider-azurerm_v${version}`,
  );
}

/** Whether the Terraform registry answers here and lists the pinned azurerm version. */
async function registryServes(version: string): Promise<boolean> {
  return fetch('https://registry.terraform.io/v1/providers/hashicorp/azurerm/versions', {
    signal: AbortSignal.timeout(10_000),
  }).then(
    async (response) =>
      response.ok &&
      ((await response.json()) as { versions: { version: string }[] }).versions.some(
        (v) => v.version === version,
      ),
    () => false,
  );
}

function cliConfig(dir: string): string {
  const file = join(dir, 'cli.tfrc');
  writeFileSync(
    file,
    `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror)}
    include = ["registry.terraform.io/hashicorp/azurerm"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/azurerm"]
  }
}
`,
  );
  return file;
}

function terraform(dir: string, env: NodeJS.ProcessEnv, ...args: string[]): { took: number; output: string } {
  const started = performance.now();
  const run = spawnSync('terraform', [...args, '-no-color'], { cwd: dir, env, encoding: 'utf8' });
  const output = `${run.stdout}${run.stderr}`;
  if (run.error) throw new Error(`could not run terraform: ${run.error.message}`);
  if (run.status !== 0)
    throw new Error(`terraform ${args[0]} failed in ${dir} (exit ${run.status}):\n${output}`);
  return { took: Math.round(performance.now() - started), output };
}

describe('terraform validate and terraform test over the synthesized stacks', function () {
  this.timeout(600_000);
  const version = pinnedAzurermVersion();

  before(async function () {
    if (fromRegistry || existsSync(mirroredProvider(version))) return;
    fromRegistry = await registryServes(version);
    if (fromRegistry) return;
    const message = `azurerm ${version} is neither in ${mirror} nor served by a reachable Terraform registry: run \`npm run validate:terraform -w infra\` (builds it from the Go module proxy) or set ODP_TERRAFORM_PROVIDERS=registry where the Terraform registry is reachable`;
    if (required) throw new Error(message);
    console.warn(`      skipped: ${message}`);
    this.skip();
  });

  for (const stack of stackNames) {
    it(`${stack}: validates and plans against the real azurerm ${version} schema`, () => {
      const dir = scratchDir(`odp-terraform-${stack}-`);
      copyFileSync(join(stackDir(stack), 'cdk.tf.json'), join(dir, 'cdk.tf.json'));
      copyFileSync(
        new URL(`../terraform-tests/${stack}.tftest.hcl`, import.meta.url),
        join(dir, `${stack}.tftest.hcl`),
      );
      const env = {
        ...process.env,
        TF_IN_AUTOMATION: '1',
        CHECKPOINT_DISABLE: '1',
        ...(fromRegistry ? {} : { TF_CLI_CONFIG_FILE: cliConfig(dir) }),
      };
      const init = terraform(dir, env, 'init', '-backend=false', '-input=false');
      const validate = terraform(dir, env, 'validate');
      expect(validate.output).to.match(/Success! The configuration is valid/);
      const test = terraform(dir, env, 'test');
      expect(test.output).to.match(/Success! 1 passed, 0 failed/);
      console.log(`      init ${init.took} ms, validate ${validate.took} ms, test ${test.took} ms`);
    });
  }
});
