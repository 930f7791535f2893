import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import type { Context } from 'koa';
import { z } from 'zod';
import { SERVICE_ROOT } from '../../serviceRoot.js';
import { notFound, Problem } from '../http/problem.js';
import { route } from './route.js';

/** Where `console/build.mjs` writes the console (npm run build, the image build, the browser tests). */
const CONSOLE = path.join(SERVICE_ROOT, 'dist', 'console');

/** A Map, so a name such as `constructor` or `__proto__` is not found on a prototype. */
const ASSETS = new Map([
  ['console.js', 'text/javascript; charset=utf-8'],
  ['style.css', 'text/css; charset=utf-8'],
]);

/**
 * Only this origin's files run and style the console, it talks only to this origin's API, and no other site may
 * frame it: a key typed into it cannot leave for anywhere else.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function served(ctx: Context, file: string, type: string): void {
  const full = path.join(CONSOLE, file);
  if (!existsSync(full)) {
    throw new Problem(
      503,
      'Console not built',
      'the console is not built here: run `npm run build -w service`',
    );
  }
  ctx.set('Content-Security-Policy', CSP);
  // Not fingerprinted: browsers revalidate, so a new release is seen on the next load.
  ctx.set('Cache-Control', 'no-cache');
  ctx.type = type;
  ctx.body = createReadStream(full);
}

export const consolePage = route({
  path: '/',
  operationId: 'console',
  summary: 'The web console: datasets, runs, quarantine and records (sign in with an API key)',
  access: 'public',
  responses: () => ({ '200': { description: 'HTML page', content: { 'text/html': { type: 'string' } } } }),
  handle: async function handleConsole(ctx) {
    return served(ctx, 'index.html', 'text/html; charset=utf-8');
  },
});

export const consoleAsset = route({
  path: '/console/:asset',
  operationId: 'consoleAsset',
  summary: 'Static files of the web console',
  access: 'public',
  undocumented: true,
  params: z.object({ asset: z.string().max(64) }),
  responses: () => ({}),
  handle: async function handleConsoleAsset(ctx, { params }) {
    const type = ASSETS.get(params.asset);
    if (!type) throw notFound(`no console file ${params.asset}`);
    served(ctx, params.asset, type);
  },
});
