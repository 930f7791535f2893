import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';

/**
 * Polls `ready` until it resolves true, or fails after `timeoutMs` naming what it waited for (a function is
 * asked at the timeout, so it can say what went wrong meanwhile).
 */
export async function waitFor(
  what: string | (() => string),
  ready: () => Promise<boolean>,
  timeoutMs = 60_000,
  everyMs = 250,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Every daemon still running: a test run that dies without its after-hooks still leaves none running. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A long-running process of the test cluster, logging to its own file, stopped by its PID. */
export class Daemon {
  readonly name: string;
  readonly log: string;
  readonly #child: ChildProcess;
  #exited = false;

  private constructor(name: string, log: string, child: ChildProcess) {
    this.name = name;
    this.log = log;
    this.#child = child;
    child.on('exit', () => {
      this.#exited = true;
    });
  }

  static start(
    name: string,
    command: string,
    args: string[],
    log: string,
    env: NodeJS.ProcessEnv = {},
  ): Daemon {
    const out = createWriteStream(log);
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    child.on('error', (error) => out.write(`could not start ${command}: ${error.message}\n`));
    running.add(child);
    child.once('exit', () => running.delete(child));
    return new Daemon(name, log, child);
  }

  get running(): boolean {
    return !this.#exited;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The last lines it logged: why it stopped, when it stopped early. */
  tail(lines = 15): string {
    const text = (() => {
      try {
        return readFileSync(this.log, 'utf8');
      } catch {
        return '';
      }
    })();
    return `${this.name} (${this.log}):\n${text.trimEnd().split('\n').slice(-lines).join('\n')}`;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
