import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { balanced, bundledDatasets, Sandbox } from '../fixtures/sandbox.js';
import { type Cell, workbook } from '../fixtures/workbook.js';

const header = ['Codice', 'Beneficiario', 'Importo', 'Erogato', 'Quote'];
const records: Cell[][] = [
  ['C-001', 'Società Agricola Forlì', 1234.5, new Date('2026-02-03'), 12345],
  ['C-002', 'Caffè Roma', -987.65, new Date('2025-12-31'), 7],
  ['C-003', 'Pasticceria Città', 1000000, new Date('2026-06-15'), null],
  ['C-004', 'Edicola "Il Punto"; Forlì', 0.1, new Date('2024-02-29'), 3],
];

const dataset = (name: string, source: string) => `name: ${name}
schedule: "0 6 * * *"
source:
${source}
key: [codice]
columns:
  - { name: codice, type: VARCHAR, from: Codice }
  - { name: beneficiario, type: VARCHAR, from: Beneficiario }
  - { name: importo, type: DOUBLE, from: Importo }
  - { name: erogato, type: DATE, from: Erogato }
  - { name: quote, type: INTEGER, from: Quote }
`;

describe('spreadsheets: an XLSX sheet is read as a table', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await Sandbox.create();
  });
  afterEach(() => sandbox.close());

  const stored = (table: string) =>
    sandbox.query(
      `SELECT codice, beneficiario, importo, erogato::VARCHAR AS erogato, quote FROM lake.main.${table} ORDER BY codice`,
    );

  it('stores the same records as its CSV export', async () => {
    await writeFile(
      path.join(sandbox.datasetsDir, 'contributi.xlsx'),
      workbook({ Contributi: [header, ...records] }),
    );
    const csv = [header, ...records].map((row) =>
      row
        .map((c) =>
          c instanceof Date
            ? c.toISOString().slice(0, 10)
            : c === null
              ? ''
              : typeof c === 'string' && /[";]/.test(c)
                ? `"${c.replaceAll('"', '""')}"`
                : String(c),
        )
        .join(';'),
    );
    await sandbox.write('contributi.csv', csv.join('\n'));
    await sandbox.write('from_sheet.yaml', dataset('from_sheet', '  format: xlsx\n  live: contributi.xlsx'));
    await sandbox.write(
      'from_csv.yaml',
      dataset('from_csv', '  format: csv\n  live: contributi.csv\n  csv: { delimiter: ";" }'),
    );
    const sheet = await sandbox.ingest('from_sheet');
    expect(sheet, sheet.error ?? '').to.include({
      status: 'succeeded',
      received: 4,
      inserted: 4,
      quarantined: 0,
    });
    expect(await sandbox.ingest('from_csv')).to.include({ status: 'succeeded', inserted: 4 });
    const fromSheet = await stored('from_sheet');
    expect(fromSheet).to.deep.equal(await stored('from_csv'));
    expect(fromSheet[0]).to.deep.equal({
      codice: 'C-001',
      beneficiario: 'Società Agricola Forlì',
      importo: 1234.5,
      erogato: '2026-02-03',
      quote: 12345,
    });
  });

  it('reads a sheet by position from its header row, to the first empty row, and quarantines a cell by its row', async () => {
    const sheet: Cell[][] = [
      ['Comune di Forlì - Contributi erogati'],
      ['Aggiornato al 30/11/2026'],
      header,
      ...records.slice(0, 2),
      ['C-009', 'Bar Centrale', 'n/d', new Date('2026-01-01'), 2],
      ...records.slice(2),
      [],
      ['Fonte: Ufficio contributi'],
    ];
    await writeFile(
      path.join(sandbox.datasetsDir, 'contributi.xlsx'),
      workbook({ Note: [['Leggimi']], Contributi: sheet }),
    );
    await sandbox.write(
      'contributi.yaml',
      dataset('contributi', '  format: xlsx\n  live: contributi.xlsx\n  xlsx: { sheet: 2, headerRow: 3 }'),
    );
    const run = await sandbox.ingest('contributi');
    expect(run, run.error ?? '').to.include({
      status: 'succeeded',
      received: 5,
      inserted: 4,
      quarantined: 1,
    });
    expect(balanced(run)).to.equal(true);
    expect((await stored('contributi')).map((r) => r.codice)).to.deep.equal([
      'C-001',
      'C-002',
      'C-003',
      'C-004',
    ]);
    const [quarantined] = await sandbox.query<{ reason: string }>('SELECT reason FROM lake.odp.quarantine');
    expect(quarantined?.reason).to.equal('row 6: importo: n/d is not a valid DOUBLE');
  });

  it('refuses a sheet the workbook does not have when the definition is read, naming the field and the sheets', async () => {
    await writeFile(
      path.join(sandbox.datasetsDir, 'contributi.xlsx'),
      workbook({ Note: [['x']], Dati: [header] }),
    );
    await sandbox.write(
      'contributi.yaml',
      dataset('contributi', '  format: xlsx\n  live: contributi.xlsx\n  xlsx: { sheet: Contributi }'),
    );
    const refused = (await sandbox.open().catch((error: unknown) => error)) as Error;
    expect(refused.message).to.contain(`${sandbox.datasetsDir}/contributi.yaml: invalid dataset definition:`);
    expect(refused.message).to.contain(
      'source.xlsx.sheet: the workbook has no sheet named "Contributi"; its sheets are "Note", "Dati" (contributi.xlsx)',
    );
  });

  it('ingests the bundled register of pharmacies', async () => {
    await sandbox.open({ ODP_DATASETS: bundledDatasets });
    const run = await sandbox.ingest('farmacie');
    expect(run, run.error ?? '').to.include({
      status: 'succeeded',
      received: 5,
      inserted: 5,
      quarantined: 0,
    });
    const [first] = await sandbox.query(
      "SELECT nome, comune, aperta_dal::VARCHAR AS aperta_dal FROM lake.main.farmacie WHERE codice = '12001'",
    );
    expect(first).to.deep.equal({ nome: 'Farmacia Centrale', comune: 'Roma', aperta_dal: '1998-03-02' });
  });
});
