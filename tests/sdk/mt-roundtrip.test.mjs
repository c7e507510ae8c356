// Shipped translation models: the download budget and manifest entry of every pair (below), and the
// ONNX export round trip: every shipped translation model (models/mt/<pair>/) is run in
// onnxruntime-web (wasm backend, the same runtime the browser uses) on the fixed inputs that
// scripts/train/mt/export_onnx.py stored in roundtrip.json, and the incremental decoder's logits
// must equal the PyTorch reference's teacher-forced logits within the stored tolerance (graphs with
// int8 products: the exported layers with those products emulated in PyTorch; the median
// difference must also stay within `median_tolerance`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { root, lib } from './helpers.mjs';

const ort = await import(join(root, 'sdk-js', 'node_modules', 'onnxruntime-web', 'dist', 'ort.node.min.mjs'));
ort.env.wasm.numThreads = 1;

const mtDir = join(root, 'models', 'mt');
const pairs = existsSync(mtDir) ? readdirSync(mtDir).filter((p) => existsSync(join(mtDir, p, 'roundtrip.json'))) : [];

test('at least one translation model is shipped with a round-trip fixture', () => {
  assert.ok(pairs.length > 0, `no models/mt/<pair>/roundtrip.json under ${mtDir}`);
});

const i64 = (values, dims) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);

for (const pair of pairs) {
  test(`${pair}: onnxruntime-web reproduces the PyTorch logits step by step`, async () => {
    const dir = join(mtDir, pair);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    const fixture = JSON.parse(readFileSync(join(dir, 'roundtrip.json'), 'utf8'));
    const { expandWeights } = await lib('weights');
    const weights = expandWeights(readFileSync(join(dir, 'weights.q8')));
    assert.equal(weights.byteLength, config.weights_bin_bytes);
    const externalData = [{ path: 'weights.bin', data: weights }];
    const encoder = await ort.InferenceSession.create(readFileSync(join(dir, 'encoder.onnx')), { externalData });
    const decoder = await ort.InferenceSession.create(readFileSync(join(dir, 'decoder.onnx')), { externalData });
    const { layers, heads, head_dim: dh, vocab } = config;
    // With a lexical shortlist the encoder gathers the output layer for the ids it is given (all
    // of them here) and the decoder reads that from the encoder's outputs.
    const all = config.shortlist ? { shortlist: i64([...Array(vocab).keys()], [vocab]) } : {};
    assert.equal(encoder.inputNames.includes('shortlist'), !!config.shortlist);
    let worst = 0;
    const diffs = [];
    for (const c of fixture.cases) {
      const enc = await encoder.run({ src: i64(c.src, [1, c.src.length]), ...all });
      const fromEncoder = Object.fromEntries(decoder.inputNames.filter((name) => enc[name]).map((name) => [name, enc[name]]));
      // One cross-attention key/value tensor and one self-attention cache per decoder layer.
      for (let i = 0; i < layers; i++) assert.deepEqual(enc[`cross_k_${i}`].dims, [1, heads, c.src.length, dh]);
      const cacheNames = decoder.inputNames.filter((name) => name.startsWith('self_'));
      assert.equal(cacheNames.length, 2 * layers);
      let cache = Object.fromEntries(cacheNames.map((name) => [name, new ort.Tensor('float32', new Float32Array(0), [1, heads, 0, dh])]));
      for (let t = 0; t < c.steps.length; t++) {
        const step = c.steps[t];
        const out = await decoder.run({
          token: i64([step.token], [1]), position: i64([t], [1]), reorder: i64([0], [1]), row_src: i64([0], [1]),
          ...cache, ...fromEncoder,
        });
        assert.deepEqual(out.logits.dims, [1, vocab]);
        cache = Object.fromEntries(cacheNames.map((name) => [name, out[`new_${name}`]]));
        for (const name of cacheNames) assert.deepEqual(cache[name].dims, [1, heads, t + 1, dh]);
        const logits = out.logits.data;
        let argmax = 0;
        for (let v = 1; v < vocab; v++) if (logits[v] > logits[argmax]) argmax = v;
        const ids = [...step.top_ids, ...step.probe_ids];
        const ref = [...step.top_logits, ...step.probe_logits];
        ids.forEach((id, k) => {
          const diff = Math.abs(logits[id] - ref[k]);
          worst = Math.max(worst, diff / Math.max(1, Math.abs(ref[k])));
          diffs.push(diff / Math.max(1, Math.abs(ref[k])));
          assert.ok(diff <= fixture.tolerance * Math.max(1, Math.abs(ref[k])),
            `${pair} "${c.text}" step ${t} token ${id}: ORT ${logits[id]} vs PyTorch ${ref[k]}`);
        });
        // Near-ties may flip under float reordering; a flip must be a near-tie.
        if (argmax !== step.argmax) {
          assert.ok(Math.abs(logits[argmax] - step.top_logits[0]) <= (fixture.argmax_tolerance ?? fixture.tolerance * 10),
            `${pair} step ${t}: argmax ${argmax} vs ${step.argmax}`);
        }
      }
    }
    assert.ok(worst <= fixture.tolerance, `worst relative difference ${worst}`);
    if (fixture.median_tolerance !== undefined) {
      const median = diffs.sort((a, b) => a - b)[Math.floor(diffs.length / 2)];
      assert.ok(median <= fixture.median_tolerance, `median relative difference ${median} > ${fixture.median_tolerance}`);
    }
  });
}

// The download budget (bytes are deterministic, so this one is a gate): one customer's pair, both
// directions, at most 12 MB gzipped. (sdk-js/build.mjs, which runs before the tests, already
// refuses a file whose sha256 differs from the manifest's.)
const manifest = JSON.parse(readFileSync(join(root, 'models', 'manifest.json'), 'utf8'));
for (const pair of pairs) {
  test(`${pair}: manifest entry matches the files, and both directions fit 12 MB gzipped`, () => {
    const entry = manifest.models.find((m) => m.name === `mt-${pair}`);
    assert.ok(entry, `models/manifest.json has no mt-${pair}`);
    assert.deepEqual(entry.languages, pair.split('-'));
    let gz = 0;
    for (const [role, spec] of Object.entries(entry.files)) {
      const bytes = readFileSync(join(root, 'models', spec.file));
      assert.equal(bytes.length, spec.bytes, `${spec.file} (${role}) size`);
      gz += gzipSync(bytes, { level: 9 }).length;
    }
    assert.ok(gz <= 12_000_000, `${pair}: ${gz} bytes gzipped, budget 12,000,000`);
    // Node's zlib and Python's (export_onnx.py) compress a little differently at the same level.
    assert.ok(Math.abs(gz - entry.gzip_bytes) < gz / 100, `manifest gzip_bytes ${entry.gzip_bytes}, measured ${gz}`);
  });
}
