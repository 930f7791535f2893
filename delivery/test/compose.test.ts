import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '@odp/service/config';
import { expect } from 'chai';
import { type ComposeFile, interpolate, readCompose, serviceEnvironment } from '../checks/compose.js';
import { readImageContract } from '../checks/dockerfile.js';
import { pythonTool } from '../checks/pythonTools.js';
import { repositoryRoot } from '../checks/repository.js';

const run = promisify(execFile);
const composePath = path.join(repositoryRoot, 'compose.yaml');

/** check-jsonschema with the Compose specification's schema that it vendors (licence and source kept there). */
async function composeSchemaErrors(file: string): Promise<string | undefined> {
  const tool = await pythonTool('check-jsonschema');
  return run(tool, ['--builtin-schema', 'vendor.compose-spec', file]).then(
    () => undefined,
    (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`.trim(),
  );
}

describe('compose.yaml', function () {
  this.timeout(60_000);
  let compose: ComposeFile;
  before(async () => {
    compose = await readCompose(composePath);
  });

  it('validates against the Compose specification schema', async () => {
    const errors = await composeSchemaErrors(composePath);
    expect(errors, errors).to.equal(undefined);
  });

  it('has a schema check that reports a misspelt key and a wrong depends_on condition', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'odp-compose-'));
    try {
      const broken = path.join(folder, 'compose.yaml');
      const text = await readFile(composePath, 'utf8');
      await writeFile(
        broken,
        text
          .replace('read_only: true', 'read_onyl: true')
          .replace('condition: service_healthy', 'condition: healthy'),
      );
      const errors = await composeSchemaErrors(broken);
      expect(errors).to.match(/read_onyl/);
      expect(errors).to.match(/'healthy' is not one of/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('`docker compose up` runs the service built from service/Dockerfile on the embedded default, data on a named volume', async () => {
    const service = compose.services['lake-service']!;
    expect(service.profiles, 'the default service has no profile').to.equal(undefined);
    expect(service.build).to.deep.equal({ context: '.', dockerfile: 'service/Dockerfile' });
    const image = await readImageContract(path.join(repositoryRoot, 'service/Dockerfile'));
    const dataVolume = service.volumes?.find((v) => v.endsWith(`:${image.env.ODP_DATA_DIR}`));
    expect(dataVolume, `a volume on ${image.env.ODP_DATA_DIR}`).to.be.a('string');
    expect(Object.keys(compose.volumes ?? {})).to.include(dataVolume!.split(':')[0]);
    const environment = serviceEnvironment(service, {});
    for (const name of ['ODP_CATALOG', 'ODP_DATA_PATH', 'ODP_INCREMENTS'])
      expect(environment).to.not.have.key(name);
    expect(service.read_only).to.equal(true);
  });

  it('--profile cloud adds PostgreSQL and Azurite, and a service that waits for them to be healthy', () => {
    const cloud = compose.services['lake-service-cloud']!;
    for (const name of ['lake-service-cloud', 'postgres', 'azurite']) {
      expect(compose.services[name]?.profiles, name).to.deep.equal(['cloud']);
    }
    expect(cloud.depends_on).to.deep.include({
      postgres: { condition: 'service_healthy' },
      azurite: { condition: 'service_healthy' },
    });
    const environment = serviceEnvironment(cloud, {});
    expect(environment.ODP_CATALOG).to.match(/^postgres:host=postgres /);
    expect(environment.ODP_DATA_PATH).to.match(/^az:\/\//);
    expect(environment.ODP_INCREMENTS).to.match(/^az:\/\//);
    // The service accepts Azurite's development key only on loopback: it shares Azurite's network namespace.
    expect(cloud.network_mode).to.equal('service:azurite');
    expect(environment.ODP_AZURE_BLOB_ENDPOINT).to.match(/^http:\/\/127\.0\.0\.1:10000\//);
  });

  for (const name of ['lake-service', 'lake-service-cloud']) {
    it(`gives ${name} an environment the service accepts`, async () => {
      const image = await readImageContract(path.join(repositoryRoot, 'service/Dockerfile'));
      const environment = { ...image.env, ...serviceEnvironment(compose.services[name]!, {}) };
      const config = loadConfig(environment);
      expect(config.dataDir).to.equal(image.env.ODP_DATA_DIR);
    });
  }

  it('waits only on services that have a healthcheck, and pins every image it pulls to an exact version', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        if (condition === 'service_healthy') {
          expect(
            compose.services[target]?.healthcheck,
            `${name} waits for ${target} to be healthy`,
          ).to.not.equal(undefined);
        }
      }
      if (!service.build) expect(service.image, name).to.match(/:\d+\.\d+(\.\d+)?[\w.-]*$/);
    }
  });

  it('lists every variable the service reads and compose interpolates in .env.example', async () => {
    const example = await readFile(path.join(repositoryRoot, '.env.example'), 'utf8');
    const config = await readFile(path.join(repositoryRoot, 'service/src/config/config.ts'), 'utf8');
    const composeText = await readFile(composePath, 'utf8');
    const read = new Set(config.match(/\bODP_[A-Z_]+\b/g));
    const interpolated = new Set([...composeText.matchAll(/\$\{(\w+)/g)].map((m) => m[1]!));
    const missing = [...read, ...interpolated].filter((name) => !new RegExp(`\\b${name}=`).test(example));
    expect(missing, 'missing from .env.example').to.deep.equal([]);
  });

  it('keeps .env and docker-compose.override.yml out of Git', async () => {
    const { stdout } = await run('git', ['check-ignore', '.env', 'docker-compose.override.yml'], {
      cwd: repositoryRoot,
    });
    expect(stdout.trim().split('\n')).to.deep.equal(['.env', 'docker-compose.override.yml']);
  });

  it('interpolates the way Compose does', () => {
    const variables = { SET: 'value', EMPTY: '' };
    expect(interpolate(`\${SET:-d} \${UNSET:-d} \${EMPTY:-d} \${EMPTY-d} $SET $$SET`, variables)).to.equal(
      'value d d  value $SET',
    );
    expect(() => interpolate(`\${UNSET:?must be set}`, variables)).to.throw(/UNSET is required: must be set/);
  });
});
