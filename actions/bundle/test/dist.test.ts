import { fileURLToPath } from 'node:url';
import { staleDistFiles } from '@odp/actions-shared/testing';
import { expect } from 'chai';

describe('dist/', () => {
  it('is the bundle of the current sources (run `npm run build -w actions/bundle` and commit dist/ if not)', async function () {
    // Building the bundle takes minutes on a busy 2-core machine: the bound is for a hung build only.
    this.timeout(600_000);
    const stale = await staleDistFiles(fileURLToPath(new URL('..', import.meta.url)));
    expect(stale, `stale files in dist/: ${stale.join(', ')}`).to.deep.equal([]);
  });
});
