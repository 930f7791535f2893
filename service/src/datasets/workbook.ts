import { readFile } from 'node:fs/promises';
import { XMLParser } from 'fast-xml-parser';
import { unzipSync } from 'fflate';
import type { Dataset } from './definition.js';

/** The sheets of an XLSX workbook, which a definition names and a run reads. */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  isArray: (name) => name === 'sheet',
});

/** A workbook's sheet names in tab order, from its `xl/workbook.xml` (the only part decompressed). */
export async function workbookSheets(file: string): Promise<string[]> {
  const entries = unzipSync(new Uint8Array(await readFile(file)), {
    filter: (entry) => entry.name === 'xl/workbook.xml',
  });
  const xml = entries['xl/workbook.xml'];
  if (!xml) throw new Error(`${file} is not an XLSX workbook: it has no xl/workbook.xml`);
  const workbook = parser.parse(new TextDecoder().decode(xml)) as {
    workbook?: { sheets?: { sheet?: { '@name': string }[] } };
  };
  return (workbook.workbook?.sheets?.sheet ?? []).map((s) => s['@name']);
}

type Spreadsheet = NonNullable<Dataset['source']['xlsx']>;

/** The name of the sheet a dataset reads, or why the workbook has no such sheet. */
export function sheetIn(
  sheets: readonly string[],
  sheet: Spreadsheet['sheet'],
): string | { problem: string } {
  const name = typeof sheet === 'number' ? sheets[sheet - 1] : sheets.find((s) => s === sheet);
  if (name !== undefined) return name;
  const which = typeof sheet === 'number' ? `sheet ${sheet}` : `sheet named "${sheet}"`;
  return {
    problem: `the workbook has no ${which}; its sheets are ${sheets.map((s) => `"${s}"`).join(', ')}`,
  };
}
