import { Problem } from './problem.js';

/**
 * Lets at most `capacity` requests in at once. Others wait their turn in a queue bounded in length and in time:
 * past either bound a request is answered 503 with Retry-After, so a flood piles up neither sockets nor memory.
 */
export class Gate {
  readonly #capacity: number;
  readonly #maxWaiting: number;
  readonly #maxWaitMs: number;
  readonly #what: string;
  readonly #waiting: (() => void)[] = [];
  #inside = 0;

  /** `what` names what is waited for, in the 503's message ("the lake", "an export slot"). */
  constructor(options: { capacity: number; maxWaiting: number; maxWaitMs: number; what: string }) {
    this.#capacity = options.capacity;
    this.#maxWaiting = options.maxWaiting;
    this.#maxWaitMs = options.maxWaitMs;
    this.#what = options.what;
  }

  /** Waits to enter; the function returned leaves (once, however often it is called). */
  async enter(): Promise<() => void> {
    if (this.#inside < this.#capacity) {
      this.#inside++;
      return this.#leaver();
    }
    if (this.#waiting.length >= this.#maxWaiting) {
      throw busy(`${this.#waiting.length} requests are already waiting for ${this.#what}`);
    }
    await new Promise<void>((resolve, reject) => {
      const admit = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(admit), 1);
        reject(busy(`the request waited ${this.#maxWaitMs} ms for ${this.#what}`));
      }, this.#maxWaitMs);
      this.#waiting.push(admit);
    });
    return this.#leaver();
  }

  /** Leaving hands the place straight to the next in line, if any. */
  #leaver(): () => void {
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#inside--;
    };
  }
}

function busy(why: string): Problem {
  return new Problem(503, 'Busy', `the service is busy (${why}); retry shortly`, {
    headers: { 'Retry-After': '2' },
  });
}
