import { readFileSync } from 'node:fs';
import { findTool, tools } from '../checks/tools.js';

/**
 * Where .ci/with-tools.sh builds the delivery tests' tools in the background (ODP_TOOLS_PENDING=<pid>:<log>),
 * every delivery test waits for those builds first, and fails with the end of their log when a tool is still
 * missing afterwards.
 */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    const pending = process.env.ODP_TOOLS_PENDING;
    if (!pending) return;
    this.timeout(0);
    const [pid, log] = [Number(pending.split(':')[0]), pending.slice(pending.indexOf(':') + 1)];
    const started = Date.now();
    let told = false;
    while (running(pid)) {
      if (!told) console.log(`  waiting for the delivery tests' tools to be built (log: ${log})`);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    if (told) console.log(`  waited ${((Date.now() - started) / 1000).toFixed(0)} s for them`);
    const missing = tools()
      .filter((t) => t.tests.some((test) => test.startsWith('delivery')) && !findTool(t.name))
      .map((t) => t.name);
    if (missing.length > 0) {
      const tail = (() => {
        try {
          return readFileSync(log, 'utf8').trimEnd().split('\n').slice(-20).join('\n');
        } catch {
          return '(no log)';
        }
      })();
      throw new Error(
        `the delivery tests' tools ${missing.join(', ')} were not built; the end of ${log}:\n${tail}`,
      );
    }
  },
};

/** Whether the builds still run: their process exists and is not a zombie (with-tools.sh reaps it only later). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true;
  }
}
