// Builds sdk-js/dist: browser bundles (kefu.js, kefu.mjs, kefu-worker.js), the Node CLI,
// unbundled modules for the node:test suite (dist/lib), type declarations (dist/types), and
// copies the wasm core (kefu-core.mjs/.wasm) produced by the wasm CMake preset, the models
// listed in ../models/manifest.json (to dist/models/, same paths: the understanding models and
// the lazily loaded translation models) and ONNX Runtime Web's wasm-only build (to dist/ort/,
// with files.json: bytes and sha256 of each, which the worker checks before using them).

import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
// KEFU_WASM_DIR: where the wasm preset put kefu-core.{mjs,wasm} (default: build/wasm/wasm).
const wasmDir = process.env.KEFU_WASM_DIR || join(here, '..', 'build', 'wasm', 'wasm');
const coreFiles = ['kefu-core.mjs', 'kefu-core.wasm'];
// KEFU_MODELS_DIR: the folder of manifest.json and the model files (default: ../models).
const modelsDir = process.env.KEFU_MODELS_DIR || join(here, '..', 'models');

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

// The models are optional (the assistant answers by retrieval without them), but a manifest
// that does not match its files would ship models every browser then refuses: fail here.
const modelFiles = [];
if (existsSync(join(modelsDir, 'manifest.json'))) {
  const manifest = JSON.parse(readFileSync(join(modelsDir, 'manifest.json'), 'utf8'));
  // A translation entry lists its files ({config, spm, encoder, decoder, weights}); the others one.
  const listed = (manifest.models ?? []).flatMap((entry) =>
    entry.kind === 'translation'
      ? Object.entries(entry.files ?? {}).map(([role, f]) => ({ name: `${entry.name}.${role}`, file: f?.file, sha256: f?.sha256 }))
      : [entry],
  );
  for (const { name, file, sha256 } of listed) {
    if (typeof file !== 'string' || file.split('/').includes('..') || file.startsWith('/')) {
      console.error(`sdk-js build: models/manifest.json: model ${name} has an invalid file ${JSON.stringify(file)}`);
      process.exit(1);
    }
    const path = join(modelsDir, file);
    if (!existsSync(path)) {
      console.error(`sdk-js build: models/${file} (listed in models/manifest.json) is missing`);
      process.exit(1);
    }
    const actual = createHash('sha256').update(readFileSync(path)).digest('hex');
    if (actual !== sha256) {
      console.error(`sdk-js build: models/${file}: sha256 ${actual} does not match models/manifest.json (${sha256})`);
      process.exit(1);
    }
    modelFiles.push(file);
  }
} else {
  console.warn(`sdk-js build: ${join(modelsDir, 'manifest.json')} not found: building without understanding models`);
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// ONNX Runtime Web, wasm backend only (no WebGPU/WebGL/JSEP): the ES module, its Emscripten
// glue and the SIMD wasm. The worker imports them from dist/ort/ on the first translation.
const ortDir = join(here, 'node_modules', 'onnxruntime-web', 'dist');
const ortFiles = ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];
const ortMissing = ortFiles.filter((file) => !existsSync(join(ortDir, file)));
if (ortMissing.length) {
  console.error(`sdk-js build: node_modules/onnxruntime-web/dist/${ortMissing.join(', ')} missing: run npm ci in sdk-js`);
  process.exit(1);
}

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
    entryPoints: ['errors', 'outbox', 'storage', 'i18n', 'business-hours', 'command-queue', 'events', 'core-api', 'version', 'models', 'understanding', 'translation', 'verified-fetch', 'weights'].map((name) => join(here, 'src', `${name}.ts`)),
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
if (modelFiles.length) {
  mkdirSync(join(dist, 'models'), { recursive: true });
  copyFileSync(join(modelsDir, 'manifest.json'), join(dist, 'models', 'manifest.json'));
  for (const file of modelFiles) {
    mkdirSync(dirname(join(dist, 'models', file)), { recursive: true });
    copyFileSync(join(modelsDir, file), join(dist, 'models', file));
  }
}

mkdirSync(join(dist, 'ort'), { recursive: true });
const ortList = { package: 'onnxruntime-web', version: JSON.parse(readFileSync(join(here, 'node_modules', 'onnxruntime-web', 'package.json'), 'utf8')).version, files: {} };
for (const file of ortFiles) {
  const bytes = readFileSync(join(ortDir, file));
  copyFileSync(join(ortDir, file), join(dist, 'ort', file));
  ortList.files[file] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}
writeFileSync(join(dist, 'ort', 'files.json'), `${JSON.stringify(ortList, null, 2)}\n`);

const rows = [
  ...readdirSync(dist).filter((file) => /\.(m?js|wasm)$/.test(file)),
  ...ortFiles.map((file) => `ort/${file}`),
  ...(modelFiles.length ? ['models/manifest.json', ...modelFiles.map((file) => `models/${file}`)] : []),
]
  .map((file) => {
    const bytes = readFileSync(join(dist, file));
    return { file, bytes: statSync(join(dist, file)).size, gzip: gzipSync(bytes).length };
  });
console.log('sdk-js/dist:');
for (const { file, bytes, gzip } of rows) {
  console.log(`  ${file.padEnd(34)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB  (gzip ${(gzip / 1024).toFixed(1)} KiB)`);
}
