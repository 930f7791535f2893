#!/usr/bin/env node
import { createServer } from 'node:http';
import { Command } from 'commander';
import { KeyStore } from './access/keys.js';
import { SCOPES, type Scope } from './access/scopes.js';
import { createApi } from './api/app.js';
import { loadConfig } from './config/config.js';
import { messageOf, OdpError } from './errors.js';
import { provisionExtensions } from './extensions/provision.js';
import { listQuarantine } from './journal/quarantine.js';
import type { Run } from './journal/run.js';
import { maintainLake } from './lake/maintain.js';
import { createLogger } from './log.js';
import { runToEnd } from './runs/start.js';
import { openRuntime, type Runtime } from './runtime.js';
import { startScheduler } from './scheduler.js';

const program = new Command('odp').description('ODP, the open data platform').showHelpAfterError();

function print(value: unknown, json: boolean, human: () => string): void {
  process.stdout.write(`${json ? JSON.stringify(value) : human()}\n`);
}

function runSummary(run: Run): string {
  const counts = `${run.received} received, ${run.inserted} inserted, ${run.updated} updated, ${run.unchanged} unchanged, ${run.quarantined} quarantined`;
  const reasons = run.top_reasons.length
    ? `\n  top quarantine reasons: ${run.top_reasons.map((r) => `${r.code} (${r.count})`).join(', ')}`
    : '';
  const error = run.error ? `\n  error: ${run.error}` : '';
  return `${run.dataset} run ${run.run_id}: ${run.status} — ${counts}${run.snapshot_id === null ? '' : ` (snapshot ${run.snapshot_id})`}${reasons}${error}`;
}

/** Opens the runtime for one command and closes it afterwards; a failed run makes the exit code 1. */
async function withRuntime(work: (runtime: Runtime) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const runtime = await openRuntime(
    config,
    createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, 2),
  );
  try {
    await work(runtime);
  } finally {
    runtime.close();
    if (runtime.lake.outlivedAnEngine) process.exit(process.exitCode ?? 1);
  }
}

function reportRun(run: Run, json: boolean): void {
  print(run, json, () => runSummary(run));
  if (run.status === 'failed') process.exitCode = 1;
}

program
  .command('serve')
  .description('serve the HTTP API and run every dataset on its schedule')
  .action(async () => {
    // Bad settings of any part stop the server before it opens the lake.
    const config = loadConfig();
    const log = createLogger(config.logLevel);
    const runtime = await openRuntime(config, log);
    const scheduler = config.scheduler ? await startScheduler(runtime) : undefined;
    const api = createApi(runtime);
    // Slow or stalled clients cannot hold connections open: headers must arrive within 15 s and a whole request
    // within its deadline (checked every second, not Node's default 30 s); headers are limited to 16 KiB.
    const server = createServer(
      {
        headersTimeout: 15_000,
        requestTimeout: config.api.requestTimeoutMs + 5_000,
        connectionsCheckingInterval: 1_000,
        maxHeaderSize: 16_384,
      },
      api.app.callback(),
    ).listen(config.port, () => log.info({ port: config.port, keys: config.access.keysFile }, 'listening'));
    const shutdown = async (signal: string) => {
      log.info({ signal }, 'shutting down');
      // Stop accepting, and let idle keep-alive clients go now rather than at their timeout.
      server.close();
      server.closeIdleConnections();
      await scheduler?.stop();
      await api.drain();
      api.close();
      runtime.close();
      process.exit(0);
    };
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
  });

program
  .command('ingest')
  .description('ingest one dataset once and exit')
  .argument('<dataset>', 'dataset name')
  .option('--json', 'print the run record as one JSON object')
  .option(
    '--recheck',
    'validate and compare every record received, also those stored unchanged before (after a rule changed)',
  )
  .action(async (name: string, options: { json?: boolean; recheck?: boolean }) =>
    withRuntime(async (runtime) => {
      reportRun(
        await runToEnd(runtime, { trigger: 'manual', dataset: name, recheck: options.recheck === true }),
        !!options.json,
      );
    }),
  );

program
  .command('replay')
  .description("ingest a past run's raw increments again")
  .argument('<run-id>', 'the run whose increments to replay')
  .option('--json', 'print the run record as one JSON object')
  .action(async (runId: string, options: { json?: boolean }) =>
    withRuntime(async (runtime) => {
      reportRun(await runToEnd(runtime, { trigger: 'replay', run: runId }), !!options.json);
    }),
  );

const quarantine = program.command('quarantine').description('inspect and re-drive quarantined records');
quarantine
  .command('list')
  .argument('<dataset>', 'dataset name')
  .option('--run <run-id>', 'only records of this run')
  .option('--all', 'include records already re-driven')
  .option('--limit <n>', 'at most this many records', '100')
  .option('--json', 'one JSON object per line')
  .action(async (name: string, options: { run?: string; all?: boolean; limit: string; json?: boolean }) =>
    withRuntime(async (runtime) => {
      const dataset = runtime.dataset(name).name;
      const records = await runtime.lake.session((c) =>
        listQuarantine(c, dataset, {
          runId: options.run,
          includeReplayed: !!options.all,
          limit: Number(options.limit),
        }),
      );
      for (const r of records) {
        print(
          r,
          !!options.json,
          () => `${r.run_id} #${r.record_no}: ${r.reason}\n  ${(r.raw ?? '').slice(0, 300)}`,
        );
      }
      if (!options.json) process.stdout.write(`${records.length} quarantined record(s)\n`);
    }),
  );
quarantine
  .command('replay')
  .description('re-drive quarantined records through the current dataset definition')
  .argument('<dataset>', 'dataset name')
  .option('--run <run-id>', 'only records of this run')
  .option('--json', 'print the run record as one JSON object')
  .action(async (name: string, options: { run?: string; json?: boolean }) =>
    withRuntime(async (runtime) => {
      reportRun(
        await runToEnd(runtime, { trigger: 'quarantine-replay', dataset: name, run: options.run }),
        !!options.json,
      );
    }),
  );

program
  .command('lake')
  .description('lake housekeeping')
  .command('maintain')
  .description(
    'rewrite files updates have mostly deleted, merge small files, expire old snapshots and delete files no snapshot needs',
  )
  .option('--json', 'print the report as JSON')
  .action(async (options: { json?: boolean }) =>
    withRuntime(async (runtime) => {
      const report = await maintainLake(runtime.lake, runtime.config.snapshotRetentionDays);
      print(report, !!options.json, () => report.steps.map((s) => `${s.step}: ${s.seconds}s`).join('\n'));
    }),
  );

program
  .command('extensions')
  .description('DuckDB extensions')
  .command('install')
  .description('install the DuckDB extensions ODP needs into ODP_EXTENSION_DIR')
  .option('--json', 'print what was installed as JSON')
  .action(async (options: { json?: boolean }) => {
    const { extensionDir, extensionSources } = loadConfig();
    const installed = await provisionExtensions(extensionDir, extensionSources);
    print(installed, !!options.json, () =>
      installed.map((e) => `${e.name}: ${e.origin} (${e.path})`).join('\n'),
    );
  });

/** API keys live in a file beside the lake, not in it, so they can be managed while `odp serve` runs. */
function keyStore(): KeyStore {
  return new KeyStore(loadConfig().access.keysFile);
}

const keys = program.command('keys').description('API keys for the HTTP API (only their hashes are stored)');
keys
  .command('create')
  .description('create an API key and print it once')
  .requiredOption('--name <who>', 'who or what holds the key')
  .option('--scope <scope>', `what the key may do: ${SCOPES.join(' or ')}`, 'read')
  .option('--json', 'print the key and its record as JSON')
  .action(async (options: { name: string; scope: string; json?: boolean }) => {
    if (!SCOPES.includes(options.scope as Scope)) {
      throw new OdpError('config-invalid', `--scope must be ${SCOPES.join(' or ')}, not "${options.scope}"`);
    }
    const store = keyStore();
    const { key, record } = await store.create(options.name, options.scope as Scope);
    const { sha256: _, ...shown } = record;
    print({ key, ...shown }, !!options.json, () =>
      [
        key,
        `  ^ the ${record.scope} key for ${record.name} (id ${record.id}); it is shown only now — store it safely.`,
        `  stored as a hash in ${store.file}`,
      ].join('\n'),
    );
  });
keys
  .command('list')
  .description('list API keys (never the keys themselves)')
  .option('--all', 'include revoked keys')
  .option('--json', 'one JSON object per line')
  .action(async (options: { all?: boolean; json?: boolean }) => {
    const listed = (await keyStore().list()).filter((k) => options.all || k.revokedAt === null);
    for (const { sha256: _, ...k } of listed) {
      print(
        k,
        !!options.json,
        () =>
          `${k.id}  ${k.scope.padEnd(5)}  ${k.name}  created ${k.createdAt}${k.revokedAt ? `  revoked ${k.revokedAt}` : ''}`,
      );
    }
    if (!options.json) process.stdout.write(`${listed.length} key(s)\n`);
  });
keys
  .command('revoke')
  .description('revoke an API key; a running server refuses it within a second')
  .argument('<id-or-name>', 'the key id (from `odp keys list`) or its unique name')
  .action(async (idOrName: string) => {
    const revoked = await keyStore().revoke(idOrName);
    process.stdout.write(`revoked ${revoked.id} (${revoked.name}, ${revoked.scope})\n`);
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`odp: ${error instanceof OdpError ? error.message : messageOf(error)}\n`);
  process.exitCode = 1;
});
