import { expect } from 'chai';
import { type Dataset, DatasetSchema } from '../../src/datasets/definition.js';
import { readerTypes } from '../../src/sources/formats/csvTypes.js';

const dataset = (csv: Record<string, unknown>, columns: Record<string, unknown>[]): Dataset => ({
  ...DatasetSchema.parse({
    name: 'contributi',
    schedule: '0 6 * * *',
    source: { format: 'csv', live: 'contributi.csv', csv },
    key: 'record',
    columns,
  }),
  file: 'contributi.yaml',
});

const typed = (csv: Record<string, unknown>, columns: Record<string, unknown>[]) => {
  const reader = readerTypes(dataset(csv, columns));
  return { types: Object.fromEntries(reader.types), options: reader.options };
};

describe('which CSV columns DuckDB’s reader parses as it reads (unit)', () => {
  it('gives it numbers and dates only where its one decimal mark and one pattern are the declared rule', () => {
    expect(
      typed({ delimiter: ';', decimal: ',' }, [
        { name: 'name', type: 'VARCHAR', from: 'Nome' },
        { name: 'amount', type: 'DOUBLE', from: 'Importo' },
        { name: 'count', type: 'INTEGER', from: 'Quantità' },
        { name: 'paid', type: 'DATE', from: 'Pagato', format: '%d/%m/%Y' },
        { name: 'due', type: 'DATE', from: 'Scadenza', format: '%Y-%m-%d' },
        { name: 'at', type: 'TIMESTAMP', from: 'Ora', format: 'epoch_s' },
        { name: 'ok', type: 'BOOLEAN', from: 'Pagata' },
      ]),
    ).to.deep.equal({
      types: {
        Nome: 'VARCHAR',
        Importo: 'DOUBLE',
        // Its reader would read an integer's "1.5" as 2 whatever the decimal mark; a decimal reads it by the mark.
        Quantità: 'DECIMAL(18,0)',
        Pagato: 'DATE',
      },
      options: ["decimal_separator = ','", "dateformat = '%d/%m/%Y'"],
    });
  });

  it('leaves numbers with a thousands separator, and a header two columns read two ways, as text', () => {
    expect(
      typed({ decimal: ',', thousands: '.' }, [
        { name: 'amount', type: 'DOUBLE', from: 'Importo' },
        { name: 'id', type: 'BIGINT', from: 'Codice' },
        { name: 'id_text', type: 'VARCHAR', from: 'Codice' },
        { name: 'day', type: 'DATE', from: 'Data' },
      ]),
    ).to.deep.equal({ types: { Data: 'DATE' }, options: ["decimal_separator = ','"] });
    expect(
      typed({}, [
        { name: 'id', type: 'BIGINT', from: 'Codice' },
        { name: 'amount', type: 'DOUBLE', from: 'Importo' },
      ]),
    ).to.deep.equal({ types: { Codice: 'BIGINT', Importo: 'DOUBLE' }, options: [] });
  });
});
