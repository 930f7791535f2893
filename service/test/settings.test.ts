import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { EnvSchema } from '../src/config/config.js';
import { SERVICE_ROOT } from '../src/serviceRoot.js';

/** The settings tables of the service's and the API's READMEs: each row's variables and defaults as written (`—` for none). */
async function documentedSettings(): Promise<{ name: string; documented: string | undefined }[]> {
  const readmes = await Promise.all(
    ['README.md', 'src/api/README.md'].map((file) => readFile(path.join(SERVICE_ROOT, file), 'utf8')),
  );
  return readmes
    .join('\n')
    .split('\n')
    .filter((line) => line.startsWith('| `ODP_'))
    .flatMap((line) => {
      const [, names = '', defaults = ''] = line.split('|').map((cell) => cell.trim());
      const values = [...defaults.matchAll(/`([^`]*)`/g)].map((m) => m[1]);
      return [...names.matchAll(/`(ODP_[A-Z0-9_]+)`/g)].map((m, i) => ({
        name: m[1] as string,
        documented: defaults === '—' ? undefined : values[i],
      }));
    });
}

describe('the READMEs document the settings the service reads', () => {
  it('names only variables the service reads, with the defaults it applies', async () => {
    const settings = await documentedSettings();
    expect(settings.length).to.be.greaterThan(20);
    const shape = EnvSchema.shape as Record<
      string,
      { safeParse(v: undefined): { success: boolean; data?: unknown } }
    >;
    const wrong = settings.flatMap(({ name, documented }) => {
      const schema = shape[name];
      if (!schema) return [`${name}: the service does not read it`];
      const parsed = schema.safeParse(undefined);
      // No default in the schema: the README describes one derived later (`<data>/…`) or none.
      if (!parsed.success || parsed.data === undefined) return [];
      // Folders default to paths under the repository; the schema holds them resolved.
      const applied = String(parsed.data);
      // An empty list or text is what `—` (none) says.
      const same =
        applied === (documented ?? '') ||
        (documented !== undefined && path.isAbsolute(applied) && applied.endsWith(documented));
      return same ? [] : [`${name}: README says ${documented ?? '—'}, the service applies ${applied}`];
    });
    expect(wrong).to.deep.equal([]);
  });
});
