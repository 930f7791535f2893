import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EntraCredential, EntraToken } from '../../entra/token.js';
import { messageOf } from '../../errors.js';
import type { Logger } from '../../log.js';
import { type Renewal, renewBeforeExpiry } from './reauth.js';

/**
 * The service's sign-in to its PostgreSQL catalog with short-lived tokens, renewed before each expires. The
 * current token is kept in memory for the writer-lease connections and in a libpq password file (in a private
 * temporary folder, readable by this user only, removed on close) from which every new catalog connection of
 * the lake reads it: connections already open stay as they are, so nothing in flight fails.
 */
export class CatalogSignIn {
  readonly passfile: string;
  #token: EntraToken;
  #renewal: Renewal | undefined;

  private constructor(passfile: string, token: EntraToken) {
    this.passfile = passfile;
    this.#token = token;
  }

  static async start(credential: EntraCredential, log: Logger): Promise<CatalogSignIn> {
    const token = await credential.token().catch((error: unknown) => {
      throw new Error(
        `cannot sign in to the lake catalog with ${credential.description}: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'odp-catalog-'));
    const signIn = new CatalogSignIn(path.join(dir, 'pgpass'), token);
    signIn.#write(token);
    signIn.#renewal = renewBeforeExpiry({
      credential,
      current: token,
      log,
      use: async (next) => {
        signIn.#write(next);
        signIn.#token = next;
      },
    });
    return signIn;
  }

  /** The current token, as the password of a new PostgreSQL connection. */
  get password(): string {
    return this.#token.secret;
  }

  close(): void {
    this.#renewal?.stop();
    rmSync(path.dirname(this.passfile), { recursive: true, force: true });
  }

  /** Replaces the file whole (write, then rename), so a connection never reads half a token. */
  #write(token: EntraToken): void {
    const escaped = token.secret.replace(/([:\\])/g, '\\$1');
    const partial = `${this.passfile}.partial`;
    writeFileSync(partial, `*:*:*:*:${escaped}\n`, { mode: 0o600 });
    renameSync(partial, this.passfile);
  }
}
