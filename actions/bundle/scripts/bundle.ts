// Writes the bundle into --out: ncc's index.js (both actions, every dependency) and, per action, the
// small entry its action.yml names as runs.main, which only starts that action.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const entries = { 'infra-plan.js': 'infraPlan', 'infra-apply.js': 'infraApply' };

const { out } = parseArgs({ options: { out: { type: 'string' } } }).values;
if (!out) throw new Error('usage: npm run bundle -- --out <dir>');
const dir = resolve(out);
// ncc leaves files it no longer writes, such as a chunk a dropped dependency needed.
rmSync(dir, { recursive: true, force: true });
execFileSync('ncc', ['build', 'src/index.ts', '--minify', '--license', 'licenses.txt', '--out', dir], {
  stdio: 'inherit',
});
for (const [file, run] of Object.entries(entries)) {
  writeFileSync(join(dir, file), `import { ${run} } from './index.js';\n\nawait ${run}();\n`);
}
