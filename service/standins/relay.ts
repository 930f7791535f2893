import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { freePort } from './loopback.js';

/**
 * A TCP relay on 127.0.0.1 in front of a dependency, that a test can cut at an exact moment: open connections
 * are reset and new ones turned away (reset as they arrive), as when a network path or a server goes away, while
 * the server itself keeps what it stored. It counts the connections it turned away, so a test can tell that a
 * cut really met its subject. `restore()` lets connections through again on the same port.
 */
export class Relay {
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #cut = false;
  #turnedAway = 0;

  private constructor(
    readonly port: number,
    readonly target: number,
  ) {}

  static async to(target: number): Promise<Relay> {
    const relay = new Relay(await freePort(), target);
    await relay.#listen();
    return relay;
  }

  /** Connections that arrived during a cut and were reset: attempts that met the outage. */
  get turnedAway(): number {
    return this.#turnedAway;
  }

  /** Resets every open connection and turns new ones away until `restore()`. */
  cut(): void {
    this.#cut = true;
    for (const socket of this.#sockets) socket.resetAndDestroy();
    this.#sockets.clear();
  }

  restore(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  async #listen(): Promise<void> {
    const server = createServer((client) => {
      if (this.#cut) {
        this.#turnedAway++;
        client.resetAndDestroy();
        return;
      }
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
