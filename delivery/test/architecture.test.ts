import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { repositoryRoot } from '../checks/repository.js';

/** Paths ARCHITECTURE.md names in backticks; `<name>` placeholders stand for a file not yet written. */
function namedPaths(markdown: string): string[] {
  const quoted = [...markdown.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!);
  return quoted
    .filter((q) => q.includes('/') && !q.startsWith('@') && !q.includes('://'))
    .map((q) => (q.includes('<') ? q.slice(0, q.indexOf('<')) : q));
}

describe('ARCHITECTURE.md', () => {
  it('names only folders and files that exist, so a newcomer can trust it', async () => {
    const markdown = await readFile(path.join(repositoryRoot, 'ARCHITECTURE.md'), 'utf8');
    const named = namedPaths(markdown);
    expect(named.length, 'paths named').to.be.greaterThan(30);
    const missing = named.filter((p) => !existsSync(path.join(repositoryRoot, p)));
    expect(missing, 'named in ARCHITECTURE.md but missing').to.deep.equal([]);
  });

  it('names every workspace and every folder of service/src', async () => {
    const markdown = await readFile(path.join(repositoryRoot, 'ARCHITECTURE.md'), 'utf8');
    const named = new Set(namedPaths(markdown).map((p) => p.replace(/\/$/, '')));
    const manifest = JSON.parse(await readFile(path.join(repositoryRoot, 'package.json'), 'utf8')) as {
      workspaces: string[];
    };
    const workspaces = manifest.workspaces.map((w) => w.replace(/\/\*$/, ''));
    const serviceFolders = (await readdir(path.join(repositoryRoot, 'service/src'), { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => `service/src/${d.name}`);
    const unnamed = [...workspaces, ...serviceFolders].filter((p) => !named.has(p));
    expect(unnamed, 'parts ARCHITECTURE.md does not name').to.deep.equal([]);
  });
});
