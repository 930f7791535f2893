import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { repositoryRoot } from '../checks/repository.js';

const run = promisify(execFile);

describe('every YAML file in the repository parses', function () {
  this.timeout(60_000);

  it('parses each tracked or new *.yaml / *.yml without errors or duplicate keys', async () => {
    const { stdout } = await run(
      'git',
      ['ls-files', '--cached', '--others', '--exclude-standard', '*.yaml', '*.yml'],
      {
        cwd: repositoryRoot,
      },
    );
    const files = stdout.split('\n').filter(Boolean);
    expect(files).to.include.members([
      'compose.yaml',
      'apps/poc/kustomization.yaml',
      'clusters/poc/apps.yaml',
    ]);
    const problems: string[] = [];
    for (const file of files) {
      const text = await readFile(path.join(repositoryRoot, file), 'utf8').catch(() => undefined);
      if (text === undefined) continue; // deleted in the work tree, not yet committed
      for (const document of parseAllDocuments(text, { merge: true, uniqueKeys: true })) {
        for (const error of document.errors)
          problems.push(`${file}:${error.linePos?.[0].line ?? '?'}: ${error.message}`);
      }
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });
});
