import { copyFile, mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import type { IncrementStore } from './store.js';

/** Increments in a local folder (the embedded default). Writes land whole or not at all. */
export class LocalIncrementStore implements IncrementStore {
  readonly location: string;

  constructor(root: string) {
    this.location = root;
  }

  async put(key: string, file: string): Promise<void> {
    const target = this.#path(key);
    await mkdir(path.dirname(target), { recursive: true });
    const partial = `${target}.partial`;
    await copyFile(file, partial);
    await rename(partial, target);
  }

  async fetch(key: string, destination: string): Promise<void> {
    await copyFile(this.#path(key), destination);
  }

  #path(key: string): string {
    const resolved = path.resolve(this.location, key);
    if (!resolved.startsWith(path.resolve(this.location) + path.sep))
      throw new Error(`increment key ${key} leaves the store`);
    return resolved;
  }
}
