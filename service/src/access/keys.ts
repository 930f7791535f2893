import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { messageOf, OdpError } from '../errors.js';
import { API_KEY_PREFIX } from '../log.js';
import { SCOPES, type Scope } from './scopes.js';

/** An API key as stored: never the key itself, only its SHA-256 (the key is 256 random bits, so a fast hash suffices). */
const StoredKey = z.object({
  id: z.string().regex(/^[0-9a-f]{12}$/),
  name: z.string().min(1),
  scope: z.enum(SCOPES),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type ApiKey = z.infer<typeof StoredKey>;

const KeysFile = z.object({ keys: z.array(StoredKey) });

/** `odp_<id>_<secret>`: the id lets a key be listed and revoked by name without ever storing the secret. */
const TOKEN = new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9_-]{43}$`);

const sha256 = (token: string): Buffer => createHash('sha256').update(token).digest();

/**
 * The API keys, kept as hashes in one JSON file. `odp keys` writes it while `odp serve` runs (the embedded lake
 * admits one process, so keys cannot live in the lake); the server re-reads it when it changes. In the cluster the
 * file is mounted from a Secret.
 */
export class KeyStore {
  readonly file: string;
  #keys: ApiKey[] = [];
  #seen = '';
  /** When the file was last read; 0 until the first read has finished. */
  #checkedAt = 0;
  /** The read under way: concurrent callers wait for it instead of answering from what it will replace. */
  #loading: Promise<void> | undefined;

  constructor(file: string) {
    this.file = file;
  }

  async list(): Promise<ApiKey[]> {
    await this.#load();
    return [...this.#keys];
  }

  /** Creates a key and returns it; this is the only time the key itself exists outside its holder's hands. */
  async create(name: string, scope: Scope): Promise<{ key: string; record: ApiKey }> {
    const trimmed = name.trim();
    if (!trimmed) throw new OdpError('config-invalid', 'a key needs a --name saying who or what holds it');
    await this.#load();
    const id = randomBytes(6).toString('hex');
    const key = `odp_${id}_${randomBytes(32).toString('base64url')}`;
    const record: ApiKey = {
      id,
      name: trimmed,
      scope,
      sha256: sha256(key).toString('hex'),
      createdAt: new Date().toISOString(),
      revokedAt: null,
    };
    await this.#save([...this.#keys, record]);
    return { key, record };
  }

  /** Revokes the key with this id (or, when unambiguous, this name); the server refuses it from its next request. */
  async revoke(idOrName: string): Promise<ApiKey> {
    await this.#load();
    const active = this.#keys.filter((k) => k.revokedAt === null);
    const byId = active.filter((k) => k.id === idOrName);
    const matches = byId.length ? byId : active.filter((k) => k.name === idOrName);
    if (matches.length !== 1) {
      throw new OdpError(
        'config-invalid',
        matches.length === 0
          ? `no active API key with id or name "${idOrName}" in ${this.file}`
          : `${matches.length} active keys are named "${idOrName}"; revoke one by its id (${matches.map((k) => k.id).join(', ')})`,
      );
    }
    const revoked = { ...matches[0]!, revokedAt: new Date().toISOString() };
    await this.#save(this.#keys.map((k) => (k.id === revoked.id ? revoked : k)));
    return revoked;
  }

  /**
   * The active key a presented token belongs to, or undefined. A valid key is never refused: the first request
   * waits for the file's first read, every request waits for a read under way, and a key id not known yet
   * makes the file be checked again (a key created a moment ago). A revoked key is refused within a second.
   */
  async verify(token: string): Promise<ApiKey | undefined> {
    const id = TOKEN.exec(token)?.[1];
    if (!id) return undefined;
    if (this.#loading || Date.now() - this.#checkedAt > 1000) await this.ready();
    let key = this.#keys.find((k) => k.id === id);
    if (!key) {
      await this.ready(true);
      key = this.#keys.find((k) => k.id === id);
    }
    if (!key || key.revokedAt !== null) return undefined;
    return timingSafeEqual(sha256(token), Buffer.from(key.sha256, 'hex')) ? key : undefined;
  }

  /**
   * Resolves once the file has been read (again, with `recheck`; only when it changed is it parsed), sharing one
   * read among concurrent callers. Rejects when the file is not valid: what readiness waits for.
   */
  ready(recheck = false): Promise<void> {
    if (!recheck && !this.#loading && this.#checkedAt !== 0 && Date.now() - this.#checkedAt <= 1000) {
      return Promise.resolve();
    }
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(): Promise<void> {
    const started = Date.now();
    await this.#read();
    this.#checkedAt = started;
  }

  async #read(): Promise<void> {
    let version: string;
    try {
      const s = await stat(this.file);
      version = `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.#keys = [];
      this.#seen = '';
      return;
    }
    if (version === this.#seen) return;
    const text = await readFile(this.file, 'utf8');
    let parsed: z.infer<typeof KeysFile>;
    try {
      parsed = KeysFile.parse(JSON.parse(text));
    } catch (error) {
      throw new OdpError(
        'config-invalid',
        `the API keys file ${this.file} is not valid: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
    this.#keys = parsed.keys;
    this.#seen = version;
  }

  /** Written whole and renamed into place, so the server never reads half a file. */
  async #save(keys: ApiKey[]): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const partial = `${this.file}.${process.pid}.partial`;
    try {
      await writeFile(partial, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
      await rename(partial, this.file);
    } catch (error) {
      throw new OdpError(
        'config-invalid',
        `cannot write the API keys file ${this.file}: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
    this.#keys = keys;
    this.#seen = '';
  }
}
