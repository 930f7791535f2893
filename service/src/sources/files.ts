import { access, glob } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Dataset } from '../datasets/definition.js';
import { OdpError } from '../errors.js';

/** `npm:<package>/<file>` names a file shipped inside an installed npm package. */
async function packageFile(spec: string): Promise<string> {
  const match = /^npm:((?:@[^/]+\/)?[^/]+)\/(.+)$/.exec(spec);
  if (!match) throw new Error(`${spec} is not of the form npm:<package>/<file>`);
  const [, pkg, file] = match as unknown as [string, string, string];
  let dir = path.dirname(createRequire(import.meta.url).resolve(pkg));
  while (path.basename(dir) !== pkg.split('/').at(-1) && dir !== path.dirname(dir)) dir = path.dirname(dir);
  return path.join(dir, file);
}

/** The files a local location names: a path or glob beside the definition, or `npm:<package>/<file>`. */
export async function localFiles(dataset: Dataset, location: string): Promise<string[]> {
  const pattern = location.startsWith('npm:')
    ? await packageFile(location)
    : path.resolve(path.dirname(dataset.file), location);
  const files: string[] = [];
  for await (const file of glob(pattern)) files.push(file);
  if (files.length === 0) {
    await access(pattern).catch((error: unknown) => {
      throw new OdpError(
        'source-failed',
        `${dataset.name}: source ${location} matches no file (${pattern})`,
        { cause: error },
      );
    });
    files.push(pattern);
  }
  return files.sort();
}
