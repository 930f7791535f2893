import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { ndjson, readingsDataset, Sandbox } from '../fixtures/sandbox.js';
import { ApiServer } from './server.js';

/** Text a spreadsheet would run as a formula, with what the CSV export must carry instead. */
const FORMULAS: [string, string][] = [
  ['=HYPERLINK("http://evil.example","click")', `'=HYPERLINK("http://evil.example","click")`],
  ['=1+2', "'=1+2"],
  ['+1', "'+1"],
  ['-5', "'-5"],
  ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
  ['\tcmd', "'\tcmd"],
  ['\rcmd', "'\rcmd"],
  ['plain', 'plain'],
  ['a=b', 'a=b'],
  ["'quoted", "'quoted"],
];

describe('CSV exports: no cell a spreadsheet runs as a formula', () => {
  let sandbox: Sandbox;
  let server: ApiServer;

  before(async () => {
    sandbox = await Sandbox.create();
    await sandbox.write(
      'readings.yaml',
      readingsDataset({
        extraColumns: '  - { name: note, type: VARCHAR }\n  - { name: delta, type: INTEGER }',
      }),
    );
    await sandbox.write(
      'readings.ndjson',
      ndjson(FORMULAS.map(([note], i) => ({ id: `r${i}`, v: 1, value: i, note, delta: i % 2 ? -5 : 5 }))),
    );
    expect((await sandbox.ingest('readings')).status).to.equal('succeeded');
    server = await ApiServer.start(sandbox);
  });
  after(async () => {
    await server?.close();
    await sandbox?.close();
  });

  it('prefixes text starting with = + - @, tab or CR with a quote, and leaves numbers as they are', async () => {
    const response = await server.get('/v1/datasets/readings/records?format=csv&order=id');
    expect(response.status).to.equal(200);
    const file = path.join(sandbox.dir, 'export.csv');
    await writeFile(file, Buffer.from(await response.arrayBuffer()));
    const cells = await sandbox.query<{ id: string; note: string; delta: string; value: string }>(
      'SELECT id, note, delta, value FROM read_csv(?, header = true, all_varchar = true) ORDER BY id',
      [file],
    );
    const expected = FORMULAS.map(([, csv], i) => ({
      id: `r${i}`,
      note: csv,
      delta: i % 2 ? '-5' : '5',
      value: `${i}.0`,
    })).sort((a, b) => a.id.localeCompare(b.id));
    expect(cells).to.deep.equal(expected);
  });

  it('keeps the values as stored in JSON and NDJSON', async () => {
    const page = await server.json<{ data: { id: string; note: string; delta: number }[] }>(
      '/v1/datasets/readings/records?select=id,note,delta&limit=100',
    );
    expect(Object.fromEntries(page.data.map((r) => [r.id, r.note]))).to.deep.equal(
      Object.fromEntries(FORMULAS.map(([note], i) => [`r${i}`, note])),
    );
    expect(page.data.filter((r) => r.delta === -5)).to.have.length(FORMULAS.length / 2);
    const lines = await (await server.get('/v1/datasets/readings/records?format=ndjson')).text();
    const notes = lines
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { note: string }).note);
    expect(notes.sort()).to.deep.equal(FORMULAS.map(([note]) => note).sort());
  });

  it('says so in the OpenAPI description of the CSV format', async () => {
    type Document = {
      paths: Record<string, { get: { responses: Record<string, { content: Record<string, unknown> }> } }>;
    };
    const document = await server.json<Document>('/openapi.json', 200, { key: null });
    const csv = document.paths['/v1/datasets/readings/records']?.get.responses['200']?.content[
      'text/csv'
    ] as {
      schema: { description: string };
    };
    expect(csv.schema.description).to.match(/starts with =, \+, -, @, a tab or a carriage return/);
  });
});
