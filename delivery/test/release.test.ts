import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { parse } from 'yaml';
import { repositoryRoot } from '../checks/repository.js';
import { checkImageTag } from '../release/imageTag.js';
import { setImageTag } from '../release/releaseTag.js';

const run = promisify(execFile);
const overlay = path.join(repositoryRoot, 'apps/poc/kustomization.yaml');

/** Runs the root script exactly as a person or the image-publish workflow does: `npm run release -- …`. */
async function release(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run('npm', ['run', '--silent', 'release', '--', ...args], { cwd: repositoryRoot }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ ...error }),
  );
}

function changedLines(before: string, after: string): number[] {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b.length, 'line count').to.equal(a.length);
  return b.flatMap((line, index) => (line === a[index] ? [] : [index + 1]));
}

describe('npm run release -- <tag>', function () {
  this.timeout(60_000);
  let folder: string;
  let copy: string;
  let original: string;

  beforeEach(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'odp-release-'));
    copy = path.join(folder, 'kustomization.yaml');
    original = await readFile(overlay, 'utf8');
    await writeFile(copy, original);
  });
  afterEach(() => rm(folder, { recursive: true, force: true }));

  it('changes exactly one line, the newTag of lake-service in apps/poc/kustomization.yaml', async () => {
    const result = await release('--kustomization', copy, '2026.11.23-3f9c2ab');
    expect(result.code, result.stderr).to.equal(0);
    const after = await readFile(copy, 'utf8');
    const lines = changedLines(original, after);
    expect(lines).to.have.length(1);
    expect(after.split('\n')[lines[0]! - 1]).to.match(/^\s+newTag: 2026\.11\.23-3f9c2ab$/);
    expect(result.stdout).to.match(/lake-service .* -> 2026\.11\.23-3f9c2ab/);
    const images = (parse(after) as { images: { name: string; newTag: string }[] }).images;
    expect(images).to.deep.include({ ...images[0], name: 'lake-service', newTag: '2026.11.23-3f9c2ab' });
  });

  it('writes a tag YAML would read as a number in quotes, so kustomize gets the string', () => {
    const change = setImageTag(original, 'lake-service', '1.10');
    expect(changedLines(original, change.text)).to.have.length(1);
    expect((parse(change.text) as { images: { newTag: unknown }[] }).images[0]!.newTag).to.equal('1.10');
  });

  for (const tag of ['', 'latest', '-rc1', 'v1.0 beta', 'sha256:abc', 'UPPER/slash', 'x'.repeat(129)]) {
    it(`refuses the tag ${JSON.stringify(tag.length > 20 ? `${tag.slice(0, 10)}…(${tag.length})` : tag)} and leaves the file alone`, async () => {
      const result = await release('--kustomization', copy, '--', tag);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/release: invalid image tag/);
      expect(await readFile(copy, 'utf8')).to.equal(original);
    });
  }

  it('refuses to run without exactly one tag', async () => {
    const result = await release('--kustomization', copy);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(
      /expected exactly one image tag.*\n.*usage: npm run release -- <image tag>/,
    );
  });

  it('says which entry is missing when the kustomization has no lake-service image', async () => {
    await writeFile(copy, original.replace('- name: lake-service', '- name: other-service'));
    const result = await release('--kustomization', copy, '1.2.3');
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/no entry named lake-service/);
  });

  it('accepts the tags CI publishes: versions and commit hashes', () => {
    for (const tag of ['0.1.0', '1.2.3-rc.1', '3f9c2ab', 'main-3f9c2ab4e5d6', 'v2_0'])
      expect(checkImageTag(tag)).to.equal(tag);
  });
});
