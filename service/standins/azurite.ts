import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../src/config/azure.js';
import { freePort, listening } from './loopback.js';

/** Azurite, the Azure Storage emulator, on a free loopback port with its well-known development account. */
export class LocalAzurite {
  private constructor(
    readonly child: ChildProcess,
    readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<LocalAzurite> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'odp-azurite-'));
    const port = await freePort();
    const bin = path.join(
      path.dirname(createRequire(import.meta.url).resolve('azurite/package.json')),
      'dist/src/blob/main.js',
    );
    const child = spawn(
      process.execPath,
      [
        bin,
        '--blobHost',
        '127.0.0.1',
        '--blobPort',
        String(port),
        '--location',
        dir,
        '--silent',
        '--skipApiVersionCheck',
        '--disableTelemetry',
      ],
      { stdio: 'ignore' },
    );
    await listening(port, child, 'Azurite');
    return new LocalAzurite(child, dir, port);
  }

  /** The emulator's blob endpoint, as ODP_AZURE_BLOB_ENDPOINT takes it. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}/${AZURITE_ACCOUNT}`;
  }

  get client(): BlobServiceClient {
    return new BlobServiceClient(this.endpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  }

  async createContainer(name: string): Promise<void> {
    await this.client.getContainerClient(name).createIfNotExists();
  }

  async blobs(container: string, prefix = ''): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of this.client.getContainerClient(container).listBlobsFlat({ prefix }))
      names.push(blob.name);
    return names;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
