import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient, type ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AZURITE_KEY, type BlobService } from '../config/azure.js';
import type { IncrementStore } from './store.js';

function serviceClient(service: BlobService): BlobServiceClient {
  // Account keys only for the local emulator; real accounts have shared-key access disabled.
  const credential = service.emulator
    ? new StorageSharedKeyCredential(service.account, AZURITE_KEY)
    : new DefaultAzureCredential();
  return new BlobServiceClient(service.endpoint, credential);
}

/**
 * Increments in an Azure Blob Storage container, signed in with the pod's managed identity. A block blob appears
 * whole when its upload commits, so a reader never sees half an increment.
 */
export class AzureIncrementStore implements IncrementStore {
  readonly location: string;
  readonly #container: ContainerClient;
  readonly #prefix: string;
  readonly #emulator: boolean;
  #ready: Promise<unknown> | undefined;

  constructor(target: { url: string; service: BlobService; container: string; prefix: string }) {
    this.location = target.url;
    this.#container = serviceClient(target.service).getContainerClient(target.container);
    this.#prefix = target.prefix ? `${target.prefix.replace(/\/$/, '')}/` : '';
    this.#emulator = target.service.emulator;
  }

  async put(key: string, file: string): Promise<void> {
    // In Azure the container is made by the infrastructure (the identity may not create containers); the
    // emulator starts empty.
    if (this.#emulator) this.#ready ??= this.#container.createIfNotExists();
    await this.#ready;
    await this.#blob(key).uploadFile(file);
  }

  async fetch(key: string, destination: string): Promise<void> {
    await this.#blob(key).downloadToFile(destination);
  }

  #blob(key: string) {
    if (key.split('/').some((part) => part === '..' || part === '.' || part === '')) {
      throw new Error(`increment key ${key} leaves the store`);
    }
    return this.#container.getBlockBlobClient(`${this.#prefix}${key}`);
  }
}
