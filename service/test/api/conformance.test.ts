import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import type { Sandbox } from '../fixtures/sandbox.js';
import { ApiServer, earthquakesSandbox } from './server.js';

/** What Schemathesis's JSON report says of a run (the parts this test reads). */
interface Report {
  seed: number | string;
  exit_code: number;
  operations: { selected: number; tested: number; errored: number };
  phases: Record<string, { status: string; skip_reason: string | null }>;
  test_cases: { generated: number; with_failures: number; unique_failures: number };
  failures: unknown[];
  errors: unknown[];
  warnings: Record<string, unknown[]>;
}

// Its hooks (hooks.py), settings (schemathesis.toml) and pinned requirements.
const SETTINGS = path.join(import.meta.dirname, 'conformance');
const PHASES = ['examples', 'coverage', 'fuzzing', 'stateful'];
// Fixed, so a finding reproduces; ODP_CONFORMANCE_SEED tries another.
const SEED = process.env.ODP_CONFORMANCE_SEED ?? '20261207';
// Warnings that mean the tester could not read the document as written: a pattern it cannot generate from, or a
// schema its validator reads otherwise than its generator.
const DOCUMENT_WARNINGS = ['unsupported_regex', 'validation_mismatch'];

/** Runs Schemathesis against the served document with one key, every phase, and returns its report. */
async function schemathesis(server: ApiServer, key: string, only: string[]): Promise<Report> {
  const binary = process.env.ODP_SCHEMATHESIS;
  if (!binary)
    throw new Error('Schemathesis is not installed: run `npm test` (it installs it) or set ODP_SCHEMATHESIS');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'odp-conformance-'));
  try {
    const reportPath = path.join(dir, 'report.json');
    const args = [
      '--config-file',
      path.join(SETTINGS, 'schemathesis.toml'),
      'run',
      `${server.url}/openapi.json`,
      '--header',
      `Authorization: Bearer ${key}`,
      '--phases',
      PHASES.join(','),
      '--checks',
      'all',
      '--max-examples',
      '30',
      '--seed',
      SEED,
      '--workers',
      '1',
      '--no-color',
      '--report',
      'json',
      '--report-json-path',
      reportPath,
      ...only,
    ];
    let output = '';
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(binary, args, {
        cwd: dir,
        env: { ...process.env, SCHEMATHESIS_HOOKS: 'hooks', PYTHONPATH: SETTINGS },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', resolve);
    });
    const report = JSON.parse(await readFile(reportPath, 'utf8').catch(() => 'null')) as Report | null;
    if (!report || code !== 0 || report.failures.length > 0 || report.errors.length > 0) {
      throw new Error(`Schemathesis exited with ${code}; its output:\n${output.slice(-20_000)}`);
    }
    console.log(
      `      Schemathesis (seed ${report.seed}): ${report.test_cases.generated} cases over ${report.operations.tested} operations, ${report.failures.length} findings`,
    );
    return report;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the OpenAPI document is the contract: a property-based tester reading only it finds nothing', function () {
  // Each run is about 1,300 requests in four phases; on a loaded 2-core machine that is a few minutes.
  this.timeout(20 * 60_000);
  let sandbox: Sandbox;
  let server: ApiServer;

  before(async () => {
    sandbox = await earthquakesSandbox();
    server = await ApiServer.start(sandbox);
  });
  after(async () => {
    await server.api.drain();
    await server.close();
    await sandbox.close();
  });

  /** The operations of the served document Schemathesis tries: all but the document itself, which it reads. */
  const operations = async (only: (scope: string) => boolean) => {
    const document = await server.json<{ paths: Record<string, Record<string, { 'x-odp-scope': string }>> }>(
      '/openapi.json',
    );
    return Object.entries(document.paths)
      .filter(([path]) => path !== '/openapi.json')
      .flatMap(([, methods]) => Object.values(methods))
      .filter((operation) => only(operation['x-odp-scope'])).length;
  };

  const holds = (report: Report, selected: number) => {
    expect(report.operations.tested).to.equal(report.operations.selected);
    expect(report.operations.selected).to.equal(selected);
    expect(report.operations.errored).to.equal(0);
    for (const phase of PHASES) expect(report.phases[phase]?.status, phase).to.be.oneOf(['success', 'skip']);
    // Every phase but examples (the document gives none) ran and passed.
    for (const phase of PHASES.slice(1)) expect(report.phases[phase]?.status, phase).to.equal('success');
    for (const warning of DOCUMENT_WARNINGS)
      expect(report.warnings[warning] ?? [], warning).to.deep.equal([]);
  };

  it('with a read key: every operation a read key may call, in all phases', async () => {
    const report = await schemathesis(server, server.read, ['--exclude-by', '/x-odp-scope == "admin"']);
    holds(report, await operations((scope) => scope !== 'admin'));
  });

  it('with an admin key: every operation, runs started and quarantine re-driven included', async () => {
    const report = await schemathesis(server, server.admin, []);
    holds(report, await operations(() => true));
  });
});
