import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { repositoryRoot } from '../checks/repository.js';

const run = promisify(execFile);

// `npm test` runs the parts' tests in lanes side by side (package.json, test:parts); each lane names its
// workspaces, so a workspace added later would silently go untested unless a lane names it.
describe('npm test', () => {
  it("runs every workspace's tests, each in exactly one lane", async () => {
    const root = JSON.parse(await readFile(path.join(repositoryRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const lanes = [...root.scripts['test:parts']!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
    expect(lanes.length, 'lanes').to.be.greaterThan(1);
    const named = lanes.flatMap((lane) => [...lane.matchAll(/(?:^|\s)-w\s+(\S+)/g)].map((m) => m[1]!));
    // The workspaces as npm itself resolves them.
    const { stdout } = await run('npm', ['query', '.workspace'], { cwd: repositoryRoot });
    const tested = (JSON.parse(stdout) as { location: string; scripts?: Record<string, string> }[])
      .filter((w) => w.scripts?.test)
      .map((w) => w.location);
    // A -w value names a workspace folder, or a folder holding several (as npm reads it).
    const runs = (folder: string) =>
      named.filter((w) => folder === w || folder.startsWith(`${w.replace(/\/$/, '')}/`)).length;
    expect(
      tested.map((folder) => [folder, runs(folder)]),
      'workspaces with tests, and how many lanes run them',
    ).to.deep.equal(tested.map((folder) => [folder, 1]));
    expect(tested.length, 'workspaces with tests').to.be.greaterThan(5);
  });
});
