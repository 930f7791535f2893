import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EntraCredential, EntraToken } from '../../src/entra/token.js';
import type { LocalPostgres } from '../../standins/postgres.js';

const ACCESS_REQUEST = 1;
const ACCESS_ACCEPT = 2;
const ACCESS_REJECT = 3;
const USER_NAME = 1;
const USER_PASSWORD = 2;

const md5 = (...parts: Buffer[]) => createHash('md5').update(Buffer.concat(parts)).digest();

/**
 * A stand-in for Entra ID access tokens, which cannot be had here. Like Entra ID, it issues tokens that each stay
 * valid until their own expiry (a new token does not end the previous one), and the PostgreSQL server asks it
 * whether a password is a valid token, as Azure Database for PostgreSQL asks Entra ID. PostgreSQL reaches it over
 * RADIUS (RFC 2865), the external password check PostgreSQL has built in, on a loopback UDP port.
 */
export class TokenAuthority {
  readonly issued: EntraToken[] = [];
  /** The passwords PostgreSQL asked about: every token that reached the server, valid or not. */
  readonly requests: string[] = [];
  readonly refused: string[] = [];

  private constructor(
    private readonly socket: Socket,
    private readonly secret: Buffer,
    readonly user: string,
  ) {
    socket.on('message', (packet, peer) => {
      const reply = this.answer(packet);
      if (reply) socket.send(reply, peer.port, peer.address);
    });
  }

  /** Starts the authority and makes `server` check `user`'s passwords with it (other roles are unchanged). */
  static async start(server: LocalPostgres, user: string): Promise<TokenAuthority> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    // The shared secret is the text in pg_hba.conf.
    const authority = new TokenAuthority(socket, Buffer.from(randomBytes(16).toString('hex')), user);
    const hba = path.join(server.dir, 'data', 'pg_hba.conf');
    const line = `host all ${user} 127.0.0.1/32 radius radiusservers="127.0.0.1" radiussecrets="${authority.secret.toString()}" radiusports="${socket.address().port}"`;
    // pg_hba.conf is read top down: this line comes before the password rules initdb wrote.
    await writeFile(hba, `${line}\n${await readFile(hba, 'utf8')}`);
    await server.admin((c) => c.query('SELECT pg_reload_conf()'));
    return authority;
  }

  /** A credential whose tokens live `lifetimeMs`. */
  credential(lifetimeMs: number): EntraCredential {
    return {
      description: 'expiring token (stand-in for Entra ID)',
      token: async () => {
        const token = {
          secret: randomBytes(16).toString('hex'),
          expiresAt: new Date(Date.now() + lifetimeMs),
        };
        this.issued.push(token);
        return token;
      },
    };
  }

  close(): void {
    this.socket.close();
  }

  private valid(user: string, password: string): boolean {
    const now = Date.now();
    return (
      user === this.user && this.issued.some((t) => t.secret === password && t.expiresAt.getTime() > now)
    );
  }

  private answer(request: Buffer): Buffer | undefined {
    if (request.length < 20 || request[0] !== ACCESS_REQUEST) return undefined;
    const authenticator = request.subarray(4, 20);
    let user = '';
    let password = '';
    for (let at = 20; at + 2 <= request.length && request[at + 1]! >= 2; at += request[at + 1]!) {
      const value = request.subarray(at + 2, at + request[at + 1]!);
      if (request[at] === USER_NAME) user = value.toString('utf8');
      if (request[at] === USER_PASSWORD) password = this.decrypt(value, authenticator);
    }
    this.requests.push(password);
    const ok = this.valid(user, password);
    if (!ok) this.refused.push(password);
    const reply = Buffer.alloc(20);
    reply[0] = ok ? ACCESS_ACCEPT : ACCESS_REJECT;
    reply[1] = request[1]!;
    reply.writeUInt16BE(20, 2);
    md5(reply.subarray(0, 4), authenticator, this.secret).copy(reply, 4);
    return reply;
  }

  /** RFC 2865 5.2: each 16-byte block is XORed with MD5(secret + the previous cipher block, or the authenticator). */
  private decrypt(cipher: Buffer, authenticator: Buffer): string {
    const plain = Buffer.alloc(cipher.length);
    for (let block = 0; block < cipher.length; block += 16) {
      const pad = md5(this.secret, block === 0 ? authenticator : cipher.subarray(block - 16, block));
      for (let i = 0; i < 16 && block + i < cipher.length; i++)
        plain[block + i] = cipher[block + i]! ^ pad[i]!;
    }
    return plain.toString('utf8').replace(/\0+$/, '');
  }
}
