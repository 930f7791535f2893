// The console's types for the API it calls, generated from the OpenAPI document the service serves, so the
// console never keeps a hand-written copy of a run or a dataset. `npm run console:types -w service -- <url of a
// running service>` rewrites console/src/openapi.ts; a test regenerates it from a served API and compares.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';

export const TYPES_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'src', 'openapi.ts');

/**
 * The TypeScript of `document`'s routes that are the same for every lake: operations documented once per dataset
 * (tagged with its name) depend on the datasets a server has, and the console reads datasets generically.
 */
export async function consoleApiTypes(document: OpenAPI3): Promise<string> {
  const paths = Object.fromEntries(
    Object.entries(document.paths ?? {}).filter(([, item]) =>
      Object.values(item).every((operation: { tags?: string[] }) => operation.tags === undefined),
    ),
  );
  const ast = await openapiTS({ ...document, tags: [], paths });
  return `// Generated from the service's /openapi.json by \`npm run console:types\`; do not edit.\n${astToString(ast)}`;
}

/** Writes the types of the service answering at `base` into TYPES_FILE. */
async function writeTypes(base: string | undefined): Promise<void> {
  if (!base)
    throw new Error(
      'usage: npm run console:types -- <base URL of a running service, e.g. http://localhost:8080>',
    );
  const response = await fetch(new URL('/openapi.json', base));
  if (!response.ok) throw new Error(`${base}/openapi.json answered ${response.status}`);
  await writeFile(TYPES_FILE, await consoleApiTypes((await response.json()) as OpenAPI3));
  process.stdout.write(`wrote ${TYPES_FILE}\n`);
}

// Not a top-level await: the test suite loads this module, and a module that awaits at its top cannot be required.
if (process.argv[1] === fileURLToPath(import.meta.url)) void writeTypes(process.argv[2]);
