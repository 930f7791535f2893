import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { KeyStore } from '../../src/access/keys.js';
import type { Scope } from '../../src/access/scopes.js';
import { type Api, createApi } from '../../src/api/app.js';
import { loadConfig } from '../../src/config/config.js';
import { Sandbox } from '../fixtures/sandbox.js';

/** A real API server on 127.0.0.1 over a sandbox lake, with keys of both scopes. */
export class ApiServer {
  readonly sandbox: Sandbox;
  readonly api: Api;
  readonly url: string;
  readonly keys: KeyStore;
  readonly read: string;
  readonly admin: string;
  readonly #server: ReturnType<Api['app']['listen']>;

  private constructor(
    sandbox: Sandbox,
    api: Api,
    server: ReturnType<Api['app']['listen']>,
    keys: KeyStore,
    read: string,
    admin: string,
  ) {
    this.sandbox = sandbox;
    this.api = api;
    this.#server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.keys = keys;
    this.read = read;
    this.admin = admin;
  }

  /** Opens the sandbox's runtime (ingest it first, or later through `sandbox.ingest`) and serves it. */
  static async start(sandbox: Sandbox, env: NodeJS.ProcessEnv = {}): Promise<ApiServer> {
    const runtime = sandbox.runtime ?? (await sandbox.open());
    const fullEnv = {
      ...sandbox.env,
      ODP_API_KEYS_FILE: path.join(sandbox.dir, 'api-keys.json'),
      // Tests of other things than rate limits make many requests quickly; those of rate limits set their own.
      ODP_RATE_LIMIT_READ_PER_SECOND: '10000',
      ODP_RATE_LIMIT_READ_BURST: '100000',
      // The API suites run with serving copies on (the default) and off: ODP_SERVING_MB=0 npm test …
      ...(process.env.ODP_SERVING_MB === undefined ? {} : { ODP_SERVING_MB: process.env.ODP_SERVING_MB }),
      ...env,
    };
    const { access, api: settings } = loadConfig(fullEnv);
    const keys = new KeyStore(access.keysFile);
    const read = (await keys.create('tests (read)', 'read')).key;
    const admin = (await keys.create('tests (admin)', 'admin')).key;
    const api = createApi(runtime, { settings, access });
    const server = api.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const started = new ApiServer(sandbox, api, server, keys, read, admin);
    await started.servingCopies();
    return started;
  }

  /** GET with the read key unless another key (or none: null) is given. */
  async get(
    pathAndQuery: string,
    options: { key?: string | null; scope?: Scope; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const key =
      options.key === undefined ? (options.scope === 'admin' ? this.admin : this.read) : options.key;
    return fetch(`${this.url}${pathAndQuery}`, {
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...options.headers },
    });
  }

  /** GET and parse a JSON body, failing with the body when the status is not the expected one. */
  async json<T = Record<string, unknown>>(
    pathAndQuery: string,
    status = 200,
    options: Parameters<ApiServer['get']>[1] = {},
  ): Promise<T> {
    const response = await this.get(pathAndQuery, options);
    const text = await response.text();
    if (response.status !== status) {
      throw new Error(
        `GET ${pathAndQuery}: expected ${status}, got ${response.status}: ${text.slice(0, 500)}`,
      );
    }
    return JSON.parse(text) as T;
  }

  /**
   * Reads every ingested dataset once and waits for the copies those reads ask for, so that what follows reads
   * the copies (when they are on and fit) rather than the lake they are built from.
   */
  async servingCopies(): Promise<void> {
    for (const name of this.sandbox.runtime?.datasets.keys() ?? []) {
      const response = await this.get(`/v1/datasets/${name}/records?limit=1`, { key: this.admin });
      await response.arrayBuffer();
    }
    await this.api.serving.settled();
  }

  async close(): Promise<void> {
    await this.api.serving.settled();
    await new Promise((resolve) => this.#server.close(resolve));
    this.#server.closeAllConnections();
    this.api.close();
  }
}

/** A sandbox with the real earthquakes dataset ingested by the pipeline: what the API suites read. */
export async function earthquakesSandbox(): Promise<Sandbox> {
  const sandbox = await Sandbox.create();
  await sandbox.write(
    'earthquakes.yaml',
    await readFile(new URL('../../datasets/earthquakes.yaml', import.meta.url), 'utf8'),
  );
  expect((await sandbox.ingest('earthquakes')).status).to.equal('succeeded');
  return sandbox;
}
