import { expect } from 'chai';
import { describe, it } from 'mocha';
import { loadConfig } from '../../src/config/config.js';
import { parseConninfo } from '../../src/config/conninfo.js';
import { attachStatements } from '../../src/lake/attach.js';

const refusal = (env: NodeJS.ProcessEnv): string => {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
};

describe('scale-out configuration: which variables switch the embedded default to PostgreSQL and Azure', () => {
  it('reads a PostgreSQL catalog, an az:// lake and a blob container URL for increments', () => {
    const config = loadConfig({
      ODP_CATALOG:
        'postgres:host=db.postgres.database.azure.com dbname=ducklake user=id-data-service sslmode=verify-full',
      ODP_CATALOG_AUTH: 'entra',
      ODP_DATA_PATH: 'abfss://lake@odpdata.dfs.core.windows.net/tables',
      ODP_INCREMENTS: 'https://odpdata.blob.core.windows.net/increments/raw',
    });
    expect(config.catalog).to.deep.include({ kind: 'postgres', auth: 'entra' });
    expect(config.dataPath).to.deep.include({ kind: 'azure', container: 'lake', prefix: 'tables' });
    expect(config.increments).to.deep.include({ kind: 'azure', container: 'increments', prefix: 'raw' });
    const service = {
      account: 'odpdata',
      endpoint: 'https://odpdata.blob.core.windows.net',
      emulator: false,
    };
    expect(config.increments).to.deep.include({ service });
  });

  it('signs in to Azure Storage through the credential chain and never with a key outside the emulator', () => {
    const config = loadConfig({ ODP_DATA_PATH: 'az://lake/tables', ODP_AZURE_STORAGE_ACCOUNT: 'odpdata' });
    const statements = attachStatements(config.catalog, config.dataPath).join('\n');
    expect(statements).to.match(
      /TYPE azure, PROVIDER credential_chain, CHAIN '[a-z_;]+', ACCOUNT_NAME 'odpdata'/,
    );
    expect(statements).not.to.match(/AccountKey|CONNECTION_STRING/);

    const local = loadConfig({
      ODP_DATA_PATH: 'az://lake/tables',
      ODP_AZURE_BLOB_ENDPOINT: 'http://127.0.0.1:10000/devstoreaccount1',
    });
    expect(local.dataPath).to.deep.include({
      service: {
        account: 'devstoreaccount1',
        endpoint: 'http://127.0.0.1:10000/devstoreaccount1',
        emulator: true,
      },
    });
    expect(attachStatements(local.catalog, local.dataPath).join('\n')).to.match(
      /CONNECTION_STRING .*AccountKey=/,
    );
  });

  it('refuses keys and passwords in configuration, naming the variable', () => {
    expect(refusal({ ODP_CATALOG: 'postgres:host=db dbname=ducklake user=odp password=hunter2' })).to.match(
      /ODP_CATALOG: contains a password/,
    );
    expect(refusal({ ODP_CATALOG: 'postgres:postgresql://odp:hunter2@db/ducklake' })).to.match(
      /ODP_CATALOG: contains a password/,
    );
    expect(
      refusal({
        ODP_DATA_PATH: 'az://lake/tables',
        ODP_AZURE_BLOB_ENDPOINT: 'http://azurite:10000/devstoreaccount1',
      }),
    ).to.match(
      /ODP_AZURE_BLOB_ENDPOINT: http:\/\/azurite:10000 is not a loopback address: account keys are only used with the local emulator/,
    );
    expect(
      refusal({ ODP_INCREMENTS: 'https://odpdata.blob.core.windows.net/increments?sv=2024&sig=abc' }),
    ).to.match(/ODP_INCREMENTS: carries a query string \(a SAS token is a key\)/);
    expect(refusal({ ODP_INCREMENTS: 'https://files.example.org/increments' })).to.match(
      /ODP_INCREMENTS: https:\/\/files.example.org is not a loopback address/,
    );
  });

  it('refuses at start to send a token over a connection that does not verify the server, naming ODP_CATALOG', () => {
    const remote = 'host=psql-odp.postgres.database.azure.com dbname=ducklake user=id-odp';
    const entra = (conninfo: string) => ({ ODP_CATALOG: `postgres:${conninfo}`, ODP_CATALOG_AUTH: 'entra' });
    for (const weak of [
      '',
      ' sslmode=disable',
      ' sslmode=prefer',
      ' sslmode=require',
      ' sslmode=verify-ca',
    ]) {
      expect(refusal(entra(`${remote}${weak}`)), weak).to.match(
        /ODP_CATALOG: sends the Entra ID token as the password over a connection that does not verify the server: use sslmode=verify-full/,
      );
    }
    expect(refusal(entra('host=127.0.0.1,psql-odp.postgres.database.azure.com dbname=d'))).to.match(
      /ODP_CATALOG: sends/,
    );
    expect(
      refusal(entra('postgresql://id-odp@psql-odp.postgres.database.azure.com/ducklake?sslmode=require')),
    ).to.match(/ODP_CATALOG: sends/);
    for (const verified of [
      `${remote} sslmode=verify-full`,
      `${remote} sslrootcert=system`,
      'host=127.0.0.1 dbname=d',
    ]) {
      expect(() => loadConfig(entra(verified)), verified).not.to.throw();
    }
  });

  it('says what is missing or misplaced', () => {
    expect(refusal({ ODP_DATA_PATH: 'az://lake/tables' })).to.match(
      /ODP_DATA_PATH: names no storage account: write az:\/\/<account>.blob.core.windows.net\/<container>\/… or set ODP_AZURE_STORAGE_ACCOUNT/,
    );
    expect(refusal({ ODP_CATALOG_AUTH: 'entra' })).to.match(
      /ODP_CATALOG_AUTH: only applies to a PostgreSQL catalog/,
    );
    expect(refusal({ ODP_CATALOG_AUTH: 'password' })).to.match(/ODP_CATALOG_AUTH/);
    expect(
      refusal({
        ODP_DATA_PATH: 'abfss://lake/tables',
        ODP_AZURE_BLOB_ENDPOINT: 'http://127.0.0.1:10000/devstoreaccount1',
      }),
    ).to.match(/ODP_DATA_PATH: Azurite has no Data Lake \(dfs\) endpoint/);
  });

  it('reads libpq connection strings in both of their forms', () => {
    expect(
      Object.fromEntries(parseConninfo("host=db port=6432 dbname='duck lake' user=o\\'neil sslmode=require")),
    ).to.deep.equal({
      host: 'db',
      port: '6432',
      dbname: 'duck lake',
      user: "o'neil",
      sslmode: 'require',
    });
    expect(
      Object.fromEntries(parseConninfo('postgresql://id-data-service@db:5432/ducklake?sslmode=require')),
    ).to.deep.equal({
      host: 'db',
      port: '5432',
      user: 'id-data-service',
      dbname: 'ducklake',
      sslmode: 'require',
    });
    expect(() => parseConninfo('host=db dbname')).to.throw(/not valid from "dbname" on/);
  });
});
