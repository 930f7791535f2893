import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { balanced, bundledDatasets, Sandbox } from '../fixtures/sandbox.js';

/** How Italian public administrations publish: two title lines, `;`, decimal commas, thousands dots, dd/mm/yyyy. */
const contributi = [
  'Comune di Forlì - Contributi erogati;;;',
  'Aggiornato al 30/11/2026;;;',
  'Beneficiario;Importo;Data;Quantità',
  '"Società Agricola; Forlì";1.234,5;03/02/2026;12.345',
  'Caffè Roma;-987,65;31/12/2025;7',
  'Pasticceria Città;1.000.000;15/06/2026;1.000',
  'Bar Centrale;12,3,4;01/01/2026;2',
  'Edicola;1.234,5;31/02/2026;3',
  'Libreria;12.34;01/03/2026;4',
].join('\r\n');

const dataset = (dialect: string) => `name: contributi
schedule: "0 6 * * *"
source:
  format: csv
  live: contributi.csv
  csv: { ${dialect} }
key: [beneficiario]
columns:
  - { name: beneficiario, type: VARCHAR, from: Beneficiario }
  - { name: importo, type: "DECIMAL(12,2)", from: Importo }
  - { name: data, type: DATE, from: Data, format: "%d/%m/%Y" }
  - { name: quantita, type: INTEGER, from: Quantità }
`;

describe('CSV dialects: a file is read as its publisher wrote it', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await Sandbox.create();
  });
  afterEach(() => sandbox.close());

  const stored = () =>
    sandbox.query(
      'SELECT beneficiario, importo::VARCHAR AS importo, data::VARCHAR AS data, quantita FROM lake.main.contributi ORDER BY beneficiario',
    );

  it('stores the values a person reads in an Italian file (Latin-1, BOM, title lines), and quarantines the rest by line', async () => {
    await sandbox.write(
      'contributi.yaml',
      dataset('delimiter: ";", decimal: ",", thousands: ".", encoding: latin-1, skip: 2'),
    );
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(contributi, 'latin1')]);
    await writeFile(path.join(sandbox.datasetsDir, 'contributi.csv'), bytes);
    const run = await sandbox.ingest('contributi');
    expect(run, run.error ?? '').to.include({
      status: 'succeeded',
      received: 6,
      inserted: 3,
      quarantined: 3,
    });
    expect(balanced(run)).to.equal(true);
    expect(await stored()).to.deep.equal([
      { beneficiario: 'Caffè Roma', importo: '-987.65', data: '2025-12-31', quantita: 7 },
      { beneficiario: 'Pasticceria Città', importo: '1000000.00', data: '2026-06-15', quantita: 1000 },
      { beneficiario: 'Società Agricola; Forlì', importo: '1234.50', data: '2026-02-03', quantita: 12345 },
    ]);
    const reasons = await sandbox.query<{ reason: string }>(
      'SELECT reason FROM lake.odp.quarantine ORDER BY record_no',
    );
    expect(reasons.map((r) => r.reason)).to.deep.equal([
      'line 7: importo: 12,3,4 is not a valid DECIMAL(12,2) with decimal "," and thousands "."',
      'line 8: data: 31/02/2026 is not a valid DATE in format %d/%m/%Y',
      // With thousands ".", 12.34 is no number: it is never re-read as twelve point three four.
      'line 9: importo: 12.34 is not a valid DECIMAL(12,2) with decimal "," and thousands "."',
    ]);
  });

  it('reads Windows-1252 (the euro sign, curly quotes) and UTF-8 behind a byte-order mark', async () => {
    const text = 'Beneficiario;Importo;Data;Quantità\r\n“Caffè” €uro;2,5;01/02/2026;1\r\n';
    await sandbox.write('contributi.yaml', dataset('delimiter: ";", decimal: ",", encoding: windows-1252'));
    await writeFile(path.join(sandbox.datasetsDir, 'contributi.csv'), encode1252(text));
    expect(await sandbox.ingest('contributi')).to.include({ status: 'succeeded', inserted: 1 });
    expect(await stored()).to.deep.equal([
      { beneficiario: '“Caffè” €uro', importo: '2.50', data: '2026-02-01', quantita: 1 },
    ]);

    await sandbox.write('contributi.yaml', dataset('delimiter: ";", decimal: ",", encoding: UTF-8'));
    await sandbox.open();
    await writeFile(
      path.join(sandbox.datasetsDir, 'contributi.csv'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text.replace('2,5', '3,5'), 'utf8')]),
    );
    expect(await sandbox.ingest('contributi')).to.include({ status: 'succeeded', updated: 1 });
    expect((await stored())[0]).to.include({ beneficiario: '“Caffè” €uro', importo: '3.50' });
  });

  it('reads a value the same whether the reader parses the file as it reads or a bad cell sends it all through validate', async () => {
    // A decimal mark without a thousands separator: DuckDB's reader parses numbers and dates as it reads, until
    // one cell does not parse; then the file is read as text and validate parses every value.
    await sandbox.write('contributi.yaml', dataset('delimiter: ";", decimal: ","'));
    const header = 'Beneficiario;Importo;Data;Quantità';
    const good = [
      'A;,5;01/02/2026;12',
      'B;5,;02/02/2026; 3 ',
      'C;-1,5e3;03/02/2026;+4',
      'D; 7,25 ;04/02/2026;0',
    ];
    await sandbox.write('contributi.csv', [header, ...good].join('\n'));
    expect(await sandbox.ingest('contributi')).to.include({ status: 'succeeded', inserted: 4 });
    const typedAsRead = await stored();
    expect(typedAsRead).to.deep.equal([
      { beneficiario: 'A', importo: '0.50', data: '2026-02-01', quantita: 12 },
      { beneficiario: 'B', importo: '5.00', data: '2026-02-02', quantita: 3 },
      { beneficiario: 'C', importo: '-1500.00', data: '2026-02-03', quantita: 4 },
      { beneficiario: 'D', importo: '7.25', data: '2026-02-04', quantita: 0 },
    ]);

    // With "," the decimal mark, a "." is no part of a number: never 1.5 read as one and a half, or as 2.
    const bad = ['E;1.5;05/02/2026;1', 'F;1;06/02/2026;1.5'];
    await sandbox.write('contributi.csv', [header, ...good, ...bad].join('\n'));
    const run = await sandbox.ingest('contributi');
    expect(run, run.error ?? '').to.include({ status: 'succeeded', received: 6, inserted: 0, updated: 0 });
    expect(run.quarantined).to.equal(2);
    expect(await stored()).to.deep.equal(typedAsRead);
    const reasons = await sandbox.query<{ reason: string }>(
      'SELECT reason FROM lake.odp.quarantine ORDER BY record_no',
    );
    expect(reasons.map((r) => r.reason)).to.deep.equal([
      'line 6: importo: 1.5 is not a valid DECIMAL(12,2) with decimal ","',
      'line 7: quantita: 1.5 is not a valid INTEGER with decimal ","',
    ]);
  });

  it('ingests the bundled payments of an Italian municipality', async () => {
    await sandbox.open({ ODP_DATASETS: bundledDatasets });
    const samples = path.join(bundledDatasets, 'samples');
    const before = await readdir(samples);
    const run = await sandbox.ingest('pagamenti');
    // Transcoding writes nothing beside the source: in the cluster, that folder is a read-only ConfigMap.
    expect(await readdir(samples)).to.deep.equal(before);
    expect(run, run.error ?? '').to.include({
      status: 'succeeded',
      received: 6,
      inserted: 6,
      quarantined: 0,
    });
    const [top] = await sandbox.query(
      `SELECT beneficiario, importo::VARCHAR AS amount, pagato::VARCHAR AS pagato
       FROM lake.main.pagamenti ORDER BY importo DESC LIMIT 1`,
    );
    expect(top).to.deep.equal({
      beneficiario: 'Edilizia Romagnola S.r.l.',
      amount: '148250.00',
      pagato: '2026-10-14',
    });
  });

  it('refuses an unknown encoding or a dialect on another format when the definition is read, naming the field', async () => {
    const refusal = async (definition: string) => {
      await sandbox.write('contributi.yaml', definition);
      const refused = (await sandbox.open().catch((error: unknown) => error)) as Error;
      expect(refused.message).to.contain(
        `${sandbox.datasetsDir}/contributi.yaml: invalid dataset definition:`,
      );
      return refused.message;
    };
    expect(await refusal(dataset('encoding: ebcdic'))).to.contain(
      'source.csv.encoding: must be one of utf-8, latin-1, windows-1252',
    );
    expect(await refusal(dataset('thousands: ",", decimal: ","'))).to.contain(
      'source.csv.thousands: the thousands and decimal separators must differ',
    );
    expect(await refusal(dataset('delimiter: ";"').replace('format: csv', 'format: json'))).to.contain(
      'source.csv: a CSV dialect needs format: csv, not json',
    );
  });
});

/** Windows-1252 bytes of text in that code page. */
function encode1252(text: string): Buffer {
  const high: Record<string, number> = { '€': 0x80, '“': 0x93, '”': 0x94 };
  return Buffer.from([...text].map((c) => high[c] ?? c.charCodeAt(0)));
}
