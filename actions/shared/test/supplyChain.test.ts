import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { parse } from 'yaml';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Update {
  'package-ecosystem': string;
  directory?: string;
  directories?: string[];
}

/** Whether a Dependabot directory entry (`/a/*` globs one level) covers `dir` (relative to the root). */
const covers = (entry: string, dir: string) =>
  new RegExp(
    `^${entry.replace(/^\//, '').replace(/\/$/, '').replaceAll('.', '\\.').replaceAll('*', '[^/]+')}$`,
  ).test(dir);

async function goModuleDirs(): Promise<string[]> {
  const base = '.ci/kube/build';
  const entries = await readdir(join(root, base), { withFileTypes: true });
  const dirs: string[] = [];
  for (const entry of entries.filter((e) => e.isDirectory())) {
    const files = await readdir(join(root, base, entry.name));
    if (files.includes('go.mod')) dirs.push(`${base}/${entry.name}`);
  }
  return dirs;
}

describe("the repository's supply chain", () => {
  it('has Dependabot keep the action pins, npm packages, Go modules and base image current', async () => {
    const { updates } = parse(await readFile(join(root, '.github/dependabot.yml'), 'utf8')) as {
      updates: Update[];
    };
    const dirsOf = (ecosystem: string) =>
      updates
        .filter((update) => update['package-ecosystem'] === ecosystem)
        .flatMap((update) => update.directories ?? [update.directory ?? '']);
    expect(dirsOf('github-actions')).to.deep.equal(['/']);
    expect(dirsOf('npm')).to.deep.equal(['/']);
    const modules = await goModuleDirs();
    expect(modules.length).to.be.greaterThan(0);
    const uncovered = modules.filter((dir) => !dirsOf('gomod').some((entry) => covers(entry, dir)));
    expect(uncovered, 'Go modules Dependabot does not watch').to.deep.equal([]);
    expect(dirsOf('docker').some((entry) => covers(entry, 'service'))).to.equal(true);
  });

  it('lets no dependency run an install script the policy does not name', async () => {
    const npmrc = await readFile(join(root, '.npmrc'), 'utf8');
    expect(npmrc).to.match(/^strict-allow-scripts=true$/m);
    const { stdout } = await run('npm', ['install-scripts', 'ls', '--json'], { cwd: root });
    expect(JSON.parse(stdout), 'review with `npm install-scripts ls`').to.deep.equal({ allowScripts: [] });
  });

  it('builds the image with no install script at all', async () => {
    const dockerfile = await readFile(join(root, 'service/Dockerfile'), 'utf8');
    const installs = dockerfile.split('\n').filter((line) => /^RUN\b.*\bnpm (ci|install)\b/.test(line));
    expect(installs.length).to.be.greaterThan(0);
    expect(installs.filter((line) => !line.includes('--ignore-scripts'))).to.deep.equal([]);
  });
});
