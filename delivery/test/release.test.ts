import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { parse } from 'yaml';
import { repositoryRoot } from '../checks/repository.js';
import { checkImageDigest, checkImageTag } from '../release/imageTag.js';
import { setImage } from '../release/releaseTag.js';

const run = promisify(execFile);
const overlay = path.join(repositoryRoot, 'apps/poc/kustomization.yaml');
const DIGEST = `sha256:${'3f'.repeat(32)}`;
const OTHER_DIGEST = `sha256:${'a1'.repeat(32)}`;

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

describe('npm run release -- <tag> --digest <digest>', function () {
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

  it('changes only the newTag and digest lines of lake-service in apps/poc/kustomization.yaml', async () => {
    const result = await release('--kustomization', copy, '2026.11.23-3f9c2ab', '--digest', DIGEST);
    expect(result.code, result.stderr).to.equal(0);
    const after = await readFile(copy, 'utf8');
    expect(result.stdout).to.match(new RegExp(`lake-service .* -> 2026\\.11\\.23-3f9c2ab@${DIGEST}`));
    const images = (parse(after) as { images: { name: string; newTag: string; digest: string }[] }).images;
    expect(images).to.deep.include({
      ...images[0],
      name: 'lake-service',
      newTag: '2026.11.23-3f9c2ab',
      digest: DIGEST,
    });
    // Without a digest line yet, it is added right below newTag; with one, both lines change in place.
    const withoutDigest = original.split('\n').filter((line) => !/^\s+digest:/.test(line));
    const added = after.split('\n');
    const tagLine = added.findIndex((line) => /^\s+newTag: 2026\.11\.23-3f9c2ab$/.test(line));
    expect(added[tagLine + 1]).to.match(new RegExp(`^\\s+digest: ${DIGEST}$`));
    expect(added.filter((_, index) => index !== tagLine + 1 && index !== tagLine)).to.deep.equal(
      withoutDigest.filter((line) => !/^\s+newTag:/.test(line)),
    );
    const again = await release('--kustomization', copy, '2026.11.24-0a1b2c3', '--digest', OTHER_DIGEST);
    expect(again.code, again.stderr).to.equal(0);
    expect(changedLines(after, await readFile(copy, 'utf8'))).to.deep.equal([tagLine + 1, tagLine + 2]);
  });

  it('writes a tag YAML would read as a number in quotes, so kustomize gets the string', () => {
    const change = setImage(original, 'lake-service', '1.10', DIGEST);
    const images = (parse(change.text) as { images: { newTag: unknown; digest: unknown }[] }).images;
    expect(images[0]!.newTag).to.equal('1.10');
    expect(images[0]!.digest).to.equal(DIGEST);
  });

  it('refuses a newTag or digest written over several lines, naming the line, and leaves the file alone', async () => {
    const tagLine = original.split('\n').findIndex((line) => /^\s+newTag:/.test(line));
    const indent = /^\s*/.exec(original.split('\n')[tagLine]!)![0];
    const folded = original.replace(/^(\s+)newTag: (\S+)$/m, '$1newTag: >-\n$1  $2');
    const quoted = original.replace(
      /^(\s+newTag: .*)$/m,
      `$1\n${indent}digest: "sha256:\n${indent}  ${'3f'.repeat(32)}"`,
    );
    for (const [written, field] of [
      [folded, 'newTag'],
      [quoted, 'digest'],
    ] as const) {
      await writeFile(copy, written);
      const result = await release('--kustomization', copy, '1.2.3', '--digest', DIGEST);
      expect(result.code, field).to.equal(1);
      expect(result.stderr).to.include(`writes its ${field} over several lines (line ${tagLine + 1})`);
      expect(await readFile(copy, 'utf8')).to.equal(written);
    }
  });

  for (const tag of ['', 'latest', '-rc1', 'v1.0 beta', 'sha256:abc', 'UPPER/slash', 'x'.repeat(129)]) {
    it(`refuses the tag ${JSON.stringify(tag.length > 20 ? `${tag.slice(0, 10)}…(${tag.length})` : tag)} and leaves the file alone`, async () => {
      const result = await release('--kustomization', copy, '--digest', DIGEST, '--', tag);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/release: invalid image tag/);
      expect(await readFile(copy, 'utf8')).to.equal(original);
    });
  }

  it('refuses to run without exactly one tag', async () => {
    const result = await release('--kustomization', copy, '--digest', DIGEST);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(
      /expected exactly one image tag.*\n.*usage: npm run release -- <image tag> --digest/,
    );
  });

  it('refuses a release without a digest, or with a malformed one, and leaves the file alone', async () => {
    const without = await release('--kustomization', copy, '1.2.3');
    expect(without.code).to.equal(1);
    expect(without.stderr).to.match(
      /expected --digest: the release names the image by digest as well as tag/,
    );
    for (const digest of [
      'sha256:abc',
      `sha512:${'0'.repeat(128)}`,
      DIGEST.toUpperCase().replace('SHA256', 'sha256'),
      DIGEST.slice(7),
    ]) {
      const result = await release('--kustomization', copy, '1.2.3', '--digest', digest);
      expect(result.code, digest).to.equal(1);
      expect(result.stderr, digest).to.match(
        /release: invalid image digest .*sha256: followed by 64 lowercase hex digits/,
      );
    }
    expect(await readFile(copy, 'utf8')).to.equal(original);
  });

  it('says which entry is missing when the kustomization has no lake-service image', async () => {
    await writeFile(copy, original.replace('- name: lake-service', '- name: other-service'));
    const result = await release('--kustomization', copy, '1.2.3', '--digest', DIGEST);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/no entry named lake-service/);
  });

  it('accepts the tags and digests CI publishes: versions and commit hashes, sha256 digests', () => {
    for (const tag of ['0.1.0', '1.2.3-rc.1', '3f9c2ab', 'main-3f9c2ab4e5d6', 'v2_0'])
      expect(checkImageTag(tag)).to.equal(tag);
    expect(checkImageDigest(DIGEST)).to.equal(DIGEST);
  });
});
