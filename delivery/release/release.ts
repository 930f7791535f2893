import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repositoryRoot } from '../checks/repository.js';
import { setImage } from './releaseTag.js';

/**
 * `npm run release -- <tag> --digest <digest>`: releases the lake-service image <tag>, pinned to the manifest
 * digest it was pushed (and scanned) with, to the poc cluster by changing the newTag and digest lines in
 * apps/poc/kustomization.yaml (`--kustomization` for another overlay). Commit and push; Flux rolls it out.
 */
const IMAGE = 'lake-service';
const USAGE = 'usage: npm run release -- <image tag> --digest sha256:<hex> [--kustomization <file>]';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      kustomization: { type: 'string', default: path.join(repositoryRoot, 'apps/poc/kustomization.yaml') },
      digest: { type: 'string' },
    },
  });
  if (positionals.length !== 1)
    throw new Error(`expected exactly one image tag, got ${positionals.length}\n${USAGE}`);
  if (!values.digest)
    throw new Error(`expected --digest: the release names the image by digest as well as tag\n${USAGE}`);
  const file = path.resolve(values.kustomization);
  const inRepository = path.relative(repositoryRoot, file);
  const shown = inRepository.startsWith('..') ? file : inRepository;
  const change = setImage(await readFile(file, 'utf8'), IMAGE, positionals[0]!, values.digest);
  if (change.from === change.to) {
    console.log(`${shown}: ${IMAGE} is already at ${change.to}; nothing changed`);
    return;
  }
  await writeFile(file, change.text);
  console.log(`${shown}:${change.line}: ${IMAGE} ${change.from} -> ${change.to}`);
}

main().catch((error: unknown) => {
  console.error(`release: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
