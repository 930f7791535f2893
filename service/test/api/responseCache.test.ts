import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { describe, it } from 'mocha';

const run = promisify(execFile);
const measure = fileURLToPath(new URL('./cacheHeap.ts', import.meta.url));
const BUDGET_MB = 16;

describe('the response cache keeps the JS heap within its size', function () {
  this.timeout(240_000);

  // Many more pages than fit, so the cache is full and evicting when the heap is measured.
  const cases: [kind: string, pages: number][] = [
    ['empty', 400_000],
    ['small', 400_000],
    ['wide', 400_000],
    ['large', 3_000],
  ];
  for (const [kind, pages] of cases) {
    it(`${kind} pages: the heap grows by its size ±25%`, async () => {
      // A process of its own, with full collections on demand (--expose-gc) and nothing else on its heap.
      const { stdout } = await run(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', measure, kind, String(BUDGET_MB), String(pages)],
        { cwd: fileURLToPath(new URL('../..', import.meta.url)) },
      );
      const result = JSON.parse(stdout) as { budget: number; grown: number; kept: boolean };
      expect(result.kept, 'the last page is in the cache').to.equal(true);
      const ratio = result.grown / result.budget;
      expect(ratio, `heap grown ${Math.round(result.grown / 2 ** 20)} MB for ${BUDGET_MB} MB`).to.be.within(
        0.75,
        1.25,
      );
    });
  }
});
