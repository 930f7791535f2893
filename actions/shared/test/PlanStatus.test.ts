import { expect } from 'chai';
import { renderStatus, replaceStatus } from '../src/index.js';

describe('replaceStatus', () => {
  const body = `<!-- marker -->\n### Plan\n\n${renderStatus({ kind: 'planned' })}\n\n**Plan:** 1 to add\n`;

  it('moves only the status on, keeping the reviewed plan', () => {
    const applied = replaceStatus(body, {
      kind: 'applied',
      runUrl: 'https://x/runs/1',
      via: 'reviewed-plan',
    });
    expect(applied).to.include(
      '**Status:** ✅ applied in [this run](https://x/runs/1) (the reviewed plan file).',
    );
    expect(applied).not.to.include('planned, not applied yet');
    expect(applied.endsWith('\n\n**Plan:** 1 to add\n')).to.equal(true);
    const refused = replaceStatus(applied, {
      kind: 'refused',
      runUrl: 'https://x/runs/2',
      reason: 'the plan changed since review.',
      differences: [{ address: 'a.b["x|y"]', reviewed: 'update', now: null }],
    });
    expect(refused).to.include('| `a.b["x\\|y"]` | update | (none) |');
    expect(refused).not.to.include('✅ applied');
  });

  it('refuses a body without a status block', () => {
    expect(() => replaceStatus('hand-written', { kind: 'planned' })).to.throw(/no status block/);
  });
});
