import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The service's folder: the nearest one above this module with a package.json, whether it runs from source,
 * compiled (dist/) or bundled (the image's dist/cli.js). Its version and the built console are found from it.
 */
function serviceRoot(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (dir === path.dirname(dir)) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
  }
}

export const SERVICE_ROOT = serviceRoot();
