import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'mocha';

/**
 * The folder a cluster test keeps its cluster's files and logs in. Made inside a describe(): it is removed after
 * a run where every test passed and kept, named, when one failed, as the controllers' logs explain a failure.
 */
export class TestFolder {
  #path = '';
  #failed = false;

  constructor(private readonly prefix: string) {
    const folder = this;
    afterEach(function () {
      if (this.currentTest?.state === 'failed') folder.#failed = true;
    });
  }

  get path(): string {
    return this.#path;
  }

  async create(): Promise<string> {
    this.#path = await mkdtemp(path.join(os.tmpdir(), this.prefix));
    return this.#path;
  }

  /** Removes it, or says where it was kept (`what` names what is in it). */
  async close(what: string): Promise<void> {
    if (!this.#path) return;
    if (this.#failed) console.log(`      ${what} kept in ${this.#path}`);
    else await rm(this.#path, { recursive: true, force: true });
  }
}
