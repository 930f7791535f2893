import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

/** Compares with `__golden__/<name>` (not .md: the formatter would realign its tables); `UPDATE_GOLDEN=1 npm test` rewrites the file after a reviewed change. */
export async function expectGolden(name: string, actual: string): Promise<void> {
  const path = fileURLToPath(new URL(`./__golden__/${name}`, import.meta.url));
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    if (process.env.CI && !existsSync(path)) throw new Error(`golden file ${name} is missing`);
    await writeFile(path, actual);
  }
  expect(actual).to.equal(await readFile(path, 'utf8'), `differs from __golden__/${name}`);
}

export async function fixture(name: string): Promise<string> {
  return readFile(fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url)), 'utf8');
}
