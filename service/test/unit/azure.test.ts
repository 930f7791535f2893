import { expect } from 'chai';
import {
  AZURITE_ACCOUNT,
  type AzureDefaults,
  azureTarget,
  emulatorConnectionString,
} from '../../src/config/azure.js';
import { InvalidSetting } from '../../src/config/invalidSetting.js';

const VAR = 'ODP_DATA_PATH';
const real = (account: string) => ({
  account,
  endpoint: `https://${account}.blob.core.windows.net`,
  emulator: false,
});
const azurite = {
  account: AZURITE_ACCOUNT,
  endpoint: `http://127.0.0.1:10000/${AZURITE_ACCOUNT}`,
  emulator: true,
};

/** What a variable's value is refused with. */
function refusal(value: string, defaults: AzureDefaults, containerUrls: boolean, variable: string): string {
  try {
    azureTarget(value, VAR, defaults, containerUrls);
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidSetting);
    expect((error as InvalidSetting).variable).to.equal(variable);
    return (error as Error).message;
  }
  throw new Error(`${value} was accepted`);
}

describe('Azure locations (unit)', () => {
  const accepted: [string, AzureDefaults, boolean, { service: object; container: string; prefix: string }][] =
    [
      [
        'az://lake/data',
        { storageAccount: 'acct1' },
        false,
        { service: real('acct1'), container: 'lake', prefix: 'data' },
      ],
      [
        'azure://lake',
        { storageAccount: 'acct1' },
        false,
        { service: real('acct1'), container: 'lake', prefix: '' },
      ],
      [
        'az://other.blob.core.windows.net/lake/a/b/',
        {},
        false,
        { service: real('other'), container: 'lake', prefix: 'a/b' },
      ],
      [
        'abfss://lake@acct2.dfs.core.windows.net/x/y',
        {},
        false,
        { service: real('acct2'), container: 'lake', prefix: 'x/y' },
      ],
      [
        'abfss://lake/x',
        { storageAccount: 'acct3' },
        false,
        { service: real('acct3'), container: 'lake', prefix: 'x' },
      ],
      [
        'az://lake/p',
        { blobEndpoint: azurite.endpoint },
        false,
        { service: azurite, container: 'lake', prefix: 'p' },
      ],
      [
        'https://acct4.blob.core.windows.net/increments/raw',
        {},
        true,
        { service: real('acct4'), container: 'increments', prefix: 'raw' },
      ],
      [
        `http://127.0.0.1:10000/${AZURITE_ACCOUNT}/increments`,
        {},
        true,
        { service: azurite, container: 'increments', prefix: '' },
      ],
    ];
  for (const [value, defaults, containerUrls, expected] of accepted) {
    it(`reads ${value}`, () => {
      const target = azureTarget(value, VAR, defaults, containerUrls);
      expect(target).to.deep.include({ kind: 'azure', ...expected });
      expect(target.url.endsWith('/')).to.equal(true);
    });
  }

  it('an explicit account wins over the configured one', () => {
    const target = azureTarget(
      'az://named.blob.core.windows.net/c',
      VAR,
      { storageAccount: 'configured' },
      false,
    );
    expect(target.service.account).to.equal('named');
  });

  const refused: [string, AzureDefaults, boolean, RegExp, string?][] = [
    ['az://lake/data', {}, false, /names no storage account/],
    ['az://lake/data?sv=2024&sig=abc', { storageAccount: 'a12' }, false, /SAS token is a key/],
    ['az://Lake/data', { storageAccount: 'a12' }, false, /no valid blob container \(found "Lake"\)/],
    ['az://la--ke', { storageAccount: 'a12' }, false, /no valid blob container/],
    ['abfss://lake/x', { blobEndpoint: azurite.endpoint }, false, /Azurite has no Data Lake/],
    ['https://acct4.blob.core.windows.net/c', {}, false, /https:\/\/ is not a lake path/],
    ['http://10.0.0.5:10000/devstoreaccount1/c', {}, true, /not a loopback address/],
    ['http://127.0.0.1:10000/someaccount/c', {}, true, /must end in \/devstoreaccount1/],
    [
      'az://c',
      { blobEndpoint: 'http://example.com/devstoreaccount1' },
      false,
      /not a loopback address/,
      'ODP_AZURE_BLOB_ENDPOINT',
    ],
  ];
  for (const [value, defaults, containerUrls, why, variable = VAR] of refused) {
    it(`refuses ${value}${containerUrls ? ' (container URLs allowed)' : ''}, saying why and in which variable`, () => {
      expect(refusal(value, defaults, containerUrls, variable)).to.match(why);
    });
  }

  it('uses an account key with the local emulator only', () => {
    expect(emulatorConnectionString(azurite)).to.include(`AccountName=${AZURITE_ACCOUNT};`);
    expect(() => emulatorConnectionString(real('acct1'))).to.throw(/not the local emulator/);
  });
});
