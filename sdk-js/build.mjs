// Builds sdk-js/dist: browser bundles (kefu.js, kefu.mjs, kefu-worker.js), the Node CLI,
// unbundled modules for the node:test suite (dist/lib), type declarations (dist/types), and
// copies the wasm core (kefu-core.mjs/.wasm) produced by the wasm CMake preset.

import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
// KEFU_WASM_DIR: where the wasm preset put kefu-core.{mjs,wasm} (default: build/wasm/wasm).
const wasmDir = process.env.KEFU_WASM_DIR || join(here, '..', 'build', 'wasm', 'wasm');
const coreFiles = ['kefu-core.mjs', 'kefu-core.wasm'];

const missing = coreFiles.filter((file) => !existsSync(join(wasmDir, file)));
if (missing.length) {
  console.error(`sdk-js build: ${missing.map((f) => join('build/wasm/wasm', f)).join(', ')} missing: run ./scripts/build.sh (or: cmake --preset wasm && cmake --build --preset wasm)`);
  process.exit(1);
}

const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const versionSource = readFileSync(join(here, 'src', 'version.ts'), 'utf8');
if (!versionSource.includes(`'${pkg.version}'`)) {
  console.error(`sdk-js build: src/version.ts does not match package.json version ${pkg.version}`);
  process.exit(1);
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const browser = { bundle: true, minify: true, sourcemap: true, target: ['es2020', 'chrome90', 'firefox90', 'safari15'], legalComments: 'none', logLevel: 'warning' };

await Promise.all([
  // The shop's script tag: a classic script, so it works with a plain <script async src>.
  build({ ...browser, entryPoints: [join(here, 'src/loader.ts')], outfile: join(dist, 'kefu.js'), format: 'iife' }),
  build({ ...browser, entryPoints: [join(here, 'src/kefu.ts')], outfile: join(dist, 'kefu.mjs'), format: 'esm' }),
  // Module worker; it imports kefu-core.mjs at run time by URL (sent with `init`), so the
  // Emscripten glue stays a separate file next to it and is never bundled or eval'd.
  build({ ...browser, entryPoints: [join(here, 'src/kefu-worker.ts')], outfile: join(dist, 'kefu-worker.js'), format: 'esm' }),
  build({
    entryPoints: [join(here, 'src/cli.ts')],
    outfile: join(dist, 'cli.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  }),
  // Unbundled ES modules of the DOM-free pieces, imported by tests/sdk (node:test).
  build({
    entryPoints: ['errors', 'outbox', 'storage', 'i18n', 'business-hours', 'command-queue', 'events', 'core-api', 'version'].map((name) => join(here, 'src', `${name}.ts`)),
    outdir: join(dist, 'lib'),
    bundle: false,
    platform: 'neutral',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  }),
]);

execFileSync(join(here, 'node_modules', '.bin', 'tsc'), ['-p', join(here, 'tsconfig.json'), '--emitDeclarationOnly'], { stdio: 'inherit' });

for (const file of coreFiles) copyFileSync(join(wasmDir, file), join(dist, file));

const rows = readdirSync(dist)
  .filter((file) => /\.(m?js|wasm)$/.test(file))
  .map((file) => {
    const bytes = readFileSync(join(dist, file));
    return { file, bytes: statSync(join(dist, file)).size, gzip: gzipSync(bytes).length };
  });
console.log('sdk-js/dist:');
for (const { file, bytes, gzip } of rows) {
  console.log(`  ${file.padEnd(18)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB  (gzip ${(gzip / 1024).toFixed(1)} KiB)`);
}
