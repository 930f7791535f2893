import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { freePort } from './loopback.js';

/**
 * A TCP relay on 127.0.0.1 in front of a dependency, that a test can cut at an exact moment: open connections
 * are reset and new ones refused, as when a network path or a server goes away, while the server itself keeps
 * what it stored. `restore()` lets connections through again on the same port.
 */
export class Relay {
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;

  private constructor(
    readonly port: number,
    readonly target: number,
  ) {}

  static async to(target: number): Promise<Relay> {
    const relay = new Relay(await freePort(), target);
    await relay.restore();
    return relay;
  }

  /** Resets every open connection and refuses new ones. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.resetAndDestroy();
    this.#sockets.clear();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  async restore(): Promise<void> {
    if (this.#server) return;
    const server = createServer((client) => {
      const upstream = tcpConnect(this.target, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => (socket === client ? upstream : client).destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.#server = server;
  }
}
