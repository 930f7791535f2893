import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { consoleApiTypes, TYPES_FILE } from '../../console/apiTypes.js';
import { ApiServer } from '../api/server.js';
import { readingsDataset, Sandbox } from '../fixtures/sandbox.js';

/** The console's API types are generated from the served OpenAPI document; a change to a route's schema shows here. */
describe('the console’s API types', () => {
  let sandbox: Sandbox;
  let server: ApiServer;

  before(async () => {
    sandbox = await Sandbox.create();
    await sandbox.write('readings.yaml', readingsDataset());
    server = await ApiServer.start(sandbox);
  });
  after(async () => {
    await server.close();
    await sandbox.close();
  });

  it('are what the served /openapi.json generates today (else: npm run console:types -w service -- <url>)', async () => {
    const document = await server.json<Parameters<typeof consoleApiTypes>[0]>('/openapi.json');
    const generated = await consoleApiTypes(document);
    expect(await readFile(TYPES_FILE, 'utf8')).to.equal(generated);
  });
});
