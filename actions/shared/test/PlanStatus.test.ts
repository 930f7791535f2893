import { expect } from 'chai';
import { fingerprintIn, renderStatus, replaceStatus, statusKind } from '../src/index.js';

describe('replaceStatus', () => {
  const body = `<!-- marker -->\n### Plan\n\n${renderStatus({ kind: 'planned' })}\n\n**Plan:** 1 to add\n`;

  it('moves only the status on, keeping the reviewed plan', () => {
    const applied = replaceStatus(body, { kind: 'applied', runUrl: 'https://x/runs/1' });
    expect(applied).to.include(
      '**Status:** ✅ applied in [this run](https://x/runs/1): its own plan of the merged commit had the reviewed fingerprint.',
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

describe('what infra-apply reads back from a plan comment', () => {
  it('tells the status kind, including comments written before the marker named it', () => {
    expect(statusKind(renderStatus({ kind: 'unaffected', runUrl: 'https://x/runs/3' }))).to.equal(
      'unaffected',
    );
    expect(statusKind('<!-- odp:status -->\n**Status:** 🟡 planned\n<!-- /odp:status -->')).to.equal(
      'planned',
    );
    expect(statusKind('no status here')).to.equal(null);
  });

  it('reads the fingerprint shown to reviewers, and nothing that only resembles it', () => {
    const fingerprint = `sha256:${'ab'.repeat(32)}`;
    expect(fingerprintIn(`### Plan\n**Fingerprint:** \`${fingerprint}\` (state serial 4)\n`)).to.equal(
      fingerprint,
    );
    expect(fingerprintIn('**Fingerprint:** `sha256:short`')).to.equal(null);
    expect(fingerprintIn(`> **Fingerprint:** \`${fingerprint}\``)).to.equal(null);
  });
});
