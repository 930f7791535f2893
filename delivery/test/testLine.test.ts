import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { repositoryRoot } from '../checks/repository.js';

interface Manifest {
  workspaces: string[];
  scripts: Record<string, string>;
}

const manifest = async (folder: string) =>
  JSON.parse(await readFile(path.join(repositoryRoot, folder, 'package.json'), 'utf8')) as Manifest;

/** The workspace folders package.json lists, its globs expanded as npm expands them. */
async function workspaceFolders(patterns: string[]): Promise<string[]> {
  const folders: string[] = [];
  for (const pattern of patterns) {
    if (!pattern.endsWith('/*')) {
      folders.push(pattern);
      continue;
    }
    const parent = pattern.slice(0, -2);
    for (const entry of await readdir(path.join(repositoryRoot, parent), { withFileTypes: true }))
      if (entry.isDirectory() && existsSync(path.join(repositoryRoot, parent, entry.name, 'package.json')))
        folders.push(`${parent}/${entry.name}`);
  }
  return folders;
}

// `npm test` runs the parts' tests in lanes side by side (package.json, test:parts); each lane names its
// workspaces, so a workspace added later would silently go untested unless a lane names it.
describe('npm test', () => {
  it("runs every workspace's tests, each in exactly one lane", async () => {
    const root = await manifest('.');
    const lanes = [...root.scripts['test:parts']!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
    expect(lanes.length, 'lanes').to.be.greaterThan(1);
    const named = lanes.flatMap((lane) => [...lane.matchAll(/(?:^|\s)-w\s+(\S+)/g)].map((m) => m[1]!));
    const folders = await workspaceFolders(root.workspaces);
    const tested: string[] = [];
    for (const folder of folders) if ((await manifest(folder)).scripts?.test) tested.push(folder);
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
