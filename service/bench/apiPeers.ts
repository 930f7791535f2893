import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { access, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The peers' versions are pinned, like everything else we install. */
const PYTHON_PACKAGES = ['datasette==0.65.5', 'roapi==0.12.7'];

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** A virtualenv with Datasette and ROAPI under ~/.cache/odp, created on first use and reused afterwards. */
export async function peerTools(
  cacheDir: string,
): Promise<{ datasette: string; roapi: string; python: string }> {
  const venv = path.join(cacheDir, 'venv-api-bench');
  const bin = (name: string) => path.join(venv, 'bin', name);
  const marker = path.join(venv, `.installed-${PYTHON_PACKAGES.join('-')}`);
  if (!(await exists(marker))) {
    process.stderr.write(`installing ${PYTHON_PACKAGES.join(', ')} into ${venv}\n`);
    await rm(venv, { recursive: true, force: true });
    await run('python3', ['-m', 'venv', venv]);
    await run(bin('pip'), ['install', '--quiet', '--disable-pip-version-check', ...PYTHON_PACKAGES], {
      maxBuffer: 1 << 24,
    });
    await writeFile(marker, '');
  }
  return { datasette: bin('datasette'), roapi: bin('roapi'), python: bin('python') };
}

/**
 * The same rows in SQLite for Datasette, loaded from a CSV export with Python's own sqlite3, with the indexes a
 * Datasette user would add for these queries (origin or destination, then date) — Datasette's best case.
 */
export async function sqliteCopy(python: string, csv: string, db: string): Promise<void> {
  if (await exists(db)) return;
  const script = `
import csv, sqlite3, sys
csv_path, db_path = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db_path + '.partial')
con.execute('CREATE TABLE flights (date TEXT, delay INTEGER, distance INTEGER, origin TEXT, destination TEXT, delay_band TEXT, route TEXT)')
with open(csv_path, newline='') as f:
    reader = csv.reader(f)
    next(reader)
    con.executemany('INSERT INTO flights VALUES (?, ?, ?, ?, ?, ?, ?)',
        ((r[0], int(r[1]), int(r[2]), r[3], r[4], r[5], r[6]) for r in reader))
con.execute('CREATE INDEX flights_origin_date ON flights (origin, date)')
con.execute('CREATE INDEX flights_destination_date ON flights (destination, date)')
con.commit()
con.close()
`;
  await run(python, ['-c', script, csv, db], { maxBuffer: 1 << 24 });
  await run('mv', [`${db}.partial`, db]);
}

export interface Server {
  name: string;
  child: ChildProcess;
  stop(): void;
}

/** Starts a server process and waits until `readyUrl` answers 200 (or gives up after a minute, with its output). */
export async function startServer(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  readyUrl: string,
): Promise<Server> {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const server: Server = {
    name,
    child,
    stop: () => {
      if (child.exitCode === null && child.pid) child.kill('SIGTERM');
    },
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr}`);
    const ok = await fetch(readyUrl).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return server;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  server.stop();
  throw new Error(`${name} did not become ready at ${readyUrl} within a minute: ${stderr}`);
}
