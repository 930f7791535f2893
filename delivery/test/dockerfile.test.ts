import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { parseImageContract, readImageContract } from '../checks/dockerfile.js';
import { imageRuleViolations } from '../checks/imageRules.js';
import { pythonTool } from '../checks/pythonTools.js';
import { repositoryRoot } from '../checks/repository.js';

const dockerfilePath = path.join(repositoryRoot, 'service/Dockerfile');
const run = promisify(execFile);

describe('service/Dockerfile', () => {
  let dockerfile: string;
  before(async () => {
    dockerfile = await readFile(dockerfilePath, 'utf8');
  });

  /** The rules applied to the Dockerfile with `from` replaced by `to`, which must be in it. */
  function violationsWith(from: string | RegExp, to: string): string[] {
    const changed = dockerfile.replace(from, to);
    expect(changed, `the Dockerfile contains ${from}`).to.not.equal(dockerfile);
    return imageRuleViolations(parseImageContract(changed));
  }

  it('keeps every rule: pinned bases, fixed non-root UID, HEALTHCHECK, no ADD of a URL, no secret, build-time extensions', async () => {
    const violations = imageRuleViolations(await readImageContract(dockerfilePath));
    expect(violations, violations.join('\n')).to.deep.equal([]);
  });

  it('passes hadolint, warnings included', async () => {
    const hadolint = await pythonTool('hadolint');
    const result = await run(hadolint, ['--no-color', '--failure-threshold', 'warning', dockerfilePath]).then(
      ({ stdout }) => ({ failed: false, output: stdout }),
      (error: { stdout?: string; stderr?: string }) => ({
        failed: true,
        output: `${error.stdout}${error.stderr}`,
      }),
    );
    expect(result.failed, result.output).to.equal(false);
  });

  it('builds in stages and runs a slim Node 24 as UID 10001 with the service command', async () => {
    const image = await readImageContract(dockerfilePath);
    expect(image.stages.length).to.be.at.least(2);
    expect(image.stages.at(-1)!.image).to.match(/^node:24\.\d+\.\d+-\w+-slim$/);
    expect(image.user).to.equal('10001:10001');
    expect(image.cmd).to.deep.equal(['node', 'service/dist/cli.js', 'serve']);
    expect(image.env).to.include({ ODP_DATA_DIR: '/data', NODE_ENV: 'production' });
  });

  it('refuses a base image that is not pinned', () => {
    expect(violationsWith(/node:24\.21\.0-trixie-slim/, 'node:24-slim').join('\n')).to.match(
      /base image node:24-slim is not pinned/,
    );
  });

  it('refuses running as root or as a user name', () => {
    expect(violationsWith('USER 10001:10001', 'USER root').join('\n')).to.match(/fixed numeric UID/);
    expect(violationsWith('USER 10001:10001', 'USER 0').join('\n')).to.match(/runs as root/);
  });

  it('refuses a missing HEALTHCHECK', () => {
    expect(violationsWith(/HEALTHCHECK[\s\S]*?\n(?=CMD)/, '').join('\n')).to.match(/no HEALTHCHECK/);
  });

  it('refuses ADD of a URL, naming the line', () => {
    const violations = violationsWith(
      'WORKDIR /opt/odp',
      'WORKDIR /opt/odp\nADD https://example.org/tool.tgz /opt/',
    );
    expect(violations.join('\n')).to.match(/line \d+: ADD downloads from a URL/);
  });

  it('refuses secrets in ENV, ARG or any instruction', () => {
    expect(violationsWith('ODP_PORT=8080', 'ODP_PORT=8080 ODP_API_TOKEN=abc123').join('\n')).to.match(
      /ENV ODP_API_TOKEN puts a secret into the image/,
    );
    const key = 'AccountKey=Zm9vYmFyZm9vYmFyZm9vYmFy';
    expect(
      violationsWith('WORKDIR /opt/odp', `WORKDIR /opt/odp\nRUN echo "${key}" > /tmp/x`).join('\n'),
    ).to.match(/RUN contains what looks like a secret/);
  });

  it('refuses installing packages in the final stage', () => {
    expect(
      violationsWith('WORKDIR /opt/odp', 'WORKDIR /opt/odp\nRUN npm install left-pad').join('\n'),
    ).to.match(/final stage installs with npm/);
  });
});
