import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { scratchDir, stackNames, synthesizedStack } from './synthesized.js';

interface Skip {
  check: string;
  reason: string;
}
interface CheckovReport {
  summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
  results: { failed_checks: { check_id: string; resource: string; file_path: string }[] };
}

const skipsFile = new URL('../checkov-skips.yaml', import.meta.url);

function readSkips(): Skip[] {
  const skips: unknown = parse(readFileSync(skipsFile, 'utf8'));
  if (!Array.isArray(skips)) throw new Error('checkov-skips.yaml: expected a list of { check, reason }');
  return skips.map((entry: Partial<Skip>, i) => {
    if (typeof entry?.check !== 'string' || typeof entry.reason !== 'string' || entry.reason.trim() === '') {
      throw new Error(`checkov-skips.yaml: entry ${i + 1} needs a check id and a non-empty reason`);
    }
    return { check: entry.check, reason: entry.reason };
  });
}

// checkov's terraform_json parser rejects the top-level `import` list, which only tells Terraform to
// adopt existing objects; the scanned copy leaves it out and keeps every resource.
function scanCopy(): string {
  const dir = scratchDir('odp-checkov-');
  for (const stack of stackNames) {
    const { import: _adopt, ...json } = synthesizedStack(stack);
    mkdirSync(join(dir, stack));
    writeFileSync(join(dir, stack, 'cdk.tf.json'), JSON.stringify(json, null, 2));
  }
  return dir;
}

function checkov(binary: string, dir: string, skip: string[]): CheckovReport {
  const args = ['-d', dir, '--framework', 'terraform_json', '--skip-download', '--quiet', '-o', 'json'];
  if (skip.length > 0) args.push('--skip-check', skip.join(','));
  const run = spawnSync(binary, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw new Error(`could not run ${binary}: ${run.error.message}`);
  try {
    return JSON.parse(run.stdout) as CheckovReport;
  } catch {
    throw new Error(`checkov exited ${run.status} without a JSON report:\n${run.stderr.slice(-2000)}`);
  }
}

function locateCheckov(): string | undefined {
  if (process.env.ODP_CHECKOV) return process.env.ODP_CHECKOV;
  return spawnSync('checkov', ['--version']).status === 0 ? 'checkov' : undefined;
}

describe('checkov-skips.yaml', () => {
  it('gives every skipped check a reason, once', () => {
    const skips = readSkips();
    expect(new Set(skips.map(({ check }) => check)).size, 'a check is listed twice').to.equal(skips.length);
  });
});

describe('checkov over the synthesized stacks', function () {
  this.timeout(300_000);
  const binary = locateCheckov();

  before(() => {
    if (!binary)
      throw new Error('checkov is not installed: run `npm test` (it installs it) or set ODP_CHECKOV');
  });

  it('passes every check not listed in checkov-skips.yaml', () => {
    const dir = scanCopy();
    const skips = readSkips().map(({ check }) => check);
    const report = checkov(binary!, dir, skips);
    console.log(
      `      checkov: ${report.summary.passed} passed, ${report.summary.failed} failed, ${skips.length} checks skipped by checkov-skips.yaml`,
    );
    expect(report.summary.parsing_errors, 'checkov could not parse a stack').to.equal(0);
    const failures = report.results.failed_checks.map(
      ({ check_id, resource, file_path }) => `${check_id} ${resource} (${file_path})`,
    );
    expect(failures, 'fix these, or list them with a reason in checkov-skips.yaml').to.deep.equal([]);
    expect(report.summary.passed).to.be.greaterThan(50);
  });

  it('lists only checks that still fail without the skip', () => {
    const report = checkov(binary!, scanCopy(), []);
    const failing = new Set(report.results.failed_checks.map(({ check_id }) => check_id));
    const stale = readSkips().filter(({ check }) => !failing.has(check));
    expect(stale, 'these checks pass now: remove them from checkov-skips.yaml').to.deep.equal([]);
  });
});
