import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import ts from 'typescript';

const SERVICE = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(SERVICE, 'src');

/**
 * The layers ARCHITECTURE.md draws for service/src, top first: each line names folders or files (without `.ts`),
 * separated by `·`, then what they are.
 */
function declaredLayers(markdown: string): string[][] {
  const block = /```layers\n([\s\S]*?)```/.exec(markdown)?.[1];
  if (!block) throw new Error('ARCHITECTURE.md has no ```layers block');
  return block
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (line.split(/\s{2,}/)[0] ?? '').split('·').map((name) => name.trim()));
}

/** Every relative import of every module under service/src, as paths relative to it. */
function imports(): { from: string; to: string }[] {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  return files.flatMap((file) =>
    ts
      .preProcessFile(readFileSync(path.join(SRC, file), 'utf8'), true, true)
      .importedFiles.map((i) => i.fileName)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => ({
        from: file,
        to: path.relative(SRC, path.resolve(SRC, path.dirname(file), spec)).replace(/\.js$/, '.ts'),
      })),
  );
}

/**
 * Where each import goes against the drawn layers: within one name, or down to a lower line. Anything else is an
 * arrow the diagram does not show, named with the files that make it.
 */
function undrawnArrows(layers: string[][], found: { from: string; to: string }[]): string[] {
  const names = layers.flatMap((line, level) => line.map((name) => ({ name, level })));
  const placeOf = (file: string) =>
    names
      .filter(({ name }) => file === `${name}.ts` || file.startsWith(`${name}/`))
      .sort((a, b) => b.name.length - a.name.length)[0];
  const problems = new Set<string>();
  for (const { from, to } of found) {
    const a = placeOf(from);
    const b = placeOf(to);
    if (!a || !b) problems.add(`${a ? to : from} is in no layer of the diagram`);
    else if (a.name !== b.name && b.level <= a.level)
      problems.add(`${a.name} → ${b.name} (${from} imports ${to})`);
  }
  return [...problems].sort();
}

describe('the service’s layers as ARCHITECTURE.md draws them', () => {
  const layers = declaredLayers(readFileSync(path.join(SERVICE, '..', 'ARCHITECTURE.md'), 'utf8'));
  const found = imports();

  it('is followed by every import in service/src: each goes within its folder or down a layer', () => {
    expect(undrawnArrows(layers, found)).to.deep.equal([]);
  });

  it('names only folders and files that exist', () => {
    const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' });
    const missing = layers.flat().filter((name) => !files.some((f) => f === `${name}.ts` || f === name));
    expect(missing).to.deep.equal([]);
  });

  it('reports an arrow that runs back up, and a module the diagram leaves out', () => {
    const drawn = [['api'], ['lake'], ['config']];
    expect(
      undrawnArrows(drawn, [
        { from: 'api/app.ts', to: 'lake/lake.ts' },
        { from: 'lake/lake.ts', to: 'config/config.ts' },
        { from: 'config/config.ts', to: 'lake/quote.ts' },
        { from: 'lake/lake.ts', to: 'lake/query.ts' },
        { from: 'cli.ts', to: 'api/app.ts' },
      ]),
    ).to.deep.equal([
      'cli.ts is in no layer of the diagram',
      'config → lake (config/config.ts imports lake/quote.ts)',
    ]);
  });
});
