// Builds the web console into dist/console: one script and one stylesheet, bundled with their libraries, so the
// service serves them from its own origin (nothing from a CDN) under a strict Content-Security-Policy.
// `npm run build`, the image build (`node console/build.ts`: Node strips the types) and the browser tests run
// it; it takes well under a second.
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', 'dist', 'console');

export async function buildConsole(): Promise<string> {
  await mkdir(out, { recursive: true });
  await build({
    absWorkingDir: here,
    entryPoints: { console: 'src/main.tsx', style: 'console.css' },
    outdir: out,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'warning',
  });
  await copyFile(path.join(here, 'index.html'), path.join(out, 'index.html'));
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildConsole();
