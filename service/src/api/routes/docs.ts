import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { z } from 'zod';
import { notFound } from '../http/problem.js';
import { route } from './route.js';

const swaggerUi = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/**
 * The interactive docs are Swagger UI, served from the installed package: nothing is fetched from a CDN. A Map,
 * so a name such as `constructor` or `__proto__` is not found on a prototype.
 */
const ASSETS = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
  ['favicon-32x32.png', 'image/png'],
]);

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>ODP API</title>
  <link rel="icon" href="/docs/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="docs"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

// A script file rather than an inline one, so the Content-Security-Policy can stay at script-src 'self'.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs', deepLinking: true });\n`;

export const docs = route({
  path: '/docs',
  operationId: 'docs',
  summary: 'Interactive API documentation',
  access: 'public',
  responses: () => ({ '200': { description: 'HTML page', content: { 'text/html': { type: 'string' } } } }),
  handle: async function handleDocs(ctx) {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = PAGE;
  },
});

export const docsAsset = route({
  path: '/docs/:asset',
  operationId: 'docsAsset',
  summary: 'Static files of the interactive documentation',
  access: 'public',
  undocumented: true,
  params: z.object({ asset: z.string().max(64) }),
  responses: () => ({}),
  handle: async function handleDocsAsset(ctx, { params }) {
    ctx.set('Cache-Control', 'public, max-age=86400');
    if (params.asset === 'init.js') {
      ctx.type = 'text/javascript; charset=utf-8';
      ctx.body = INIT;
      return;
    }
    const type = ASSETS.get(params.asset);
    if (!type) throw notFound(`no documentation asset ${params.asset}`);
    ctx.type = type;
    ctx.body = createReadStream(path.join(swaggerUi, params.asset));
  },
});
