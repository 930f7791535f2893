// Bundles the service into one ES module, dist/cli.js, for the container image: only the code the service runs,
// so the image carries no node_modules beyond DuckDB's native bindings and the files read at run time (see the
// Dockerfile). `npm run build` (tsc) stays the build for development and tests.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

await build({
  absWorkingDir: path.dirname(fileURLToPath(import.meta.url)),
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  // Native code and optional native drivers stay outside the bundle.
  external: ['@duckdb/*', 'pg-native'],
  // CommonJS dependencies bundled into an ES module still call require() and read __dirname.
  banner: {
    js: [
      "import { createRequire as __odpCreateRequire } from 'node:module';",
      "import { fileURLToPath as __odpFileURLToPath } from 'node:url';",
      'const require = __odpCreateRequire(import.meta.url);',
      'const __filename = __odpFileURLToPath(import.meta.url);',
      "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
    ].join('\n'),
  },
  legalComments: 'none',
  logLevel: 'warning',
});
