import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StackName, stackNames, synthesize } from '../src/app.js';

/** Terraform JSON as cdktf writes it. */
export type TerraformJson = Record<string, unknown> & {
  resource: Record<string, Record<string, Record<string, unknown>>>;
};

let outdir: string | undefined;

/** A fresh temporary folder, removed when the test run exits. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Synthesizes the app once per test run, into a fresh folder, and returns that folder. */
export function synthesizedDir(): string {
  if (outdir === undefined) {
    outdir = scratchDir('odp-infra-synth-');
    synthesize(outdir);
  }
  return outdir;
}

export function stackDir(stack: StackName): string {
  return join(synthesizedDir(), 'stacks', stack);
}

/** A fresh copy of a synthesized stack, safe to modify. */
export function synthesizedStack(stack: StackName): TerraformJson {
  return JSON.parse(readFileSync(join(stackDir(stack), 'cdk.tf.json'), 'utf8')) as TerraformJson;
}

export { stackNames };
