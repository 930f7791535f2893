import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repositoryRoot } from '../checks/repository.js';
import { setImageTag } from './releaseTag.js';

/**
 * `npm run release -- <tag>`: releases the lake-service image <tag> to the poc cluster by changing the one
 * newTag line in apps/poc/kustomization.yaml. Commit and push the change; Flux rolls it out.
 */
const IMAGE = 'lake-service';
const USAGE = 'usage: npm run release -- <image tag> [--kustomization <file>]';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      kustomization: { type: 'string', default: path.join(repositoryRoot, 'apps/poc/kustomization.yaml') },
    },
  });
  if (positionals.length !== 1)
    throw new Error(`expected exactly one image tag, got ${positionals.length}\n${USAGE}`);
  const file = path.resolve(values.kustomization);
  const inRepository = path.relative(repositoryRoot, file);
  const shown = inRepository.startsWith('..') ? file : inRepository;
  const change = setImageTag(await readFile(file, 'utf8'), IMAGE, positionals[0]!);
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
