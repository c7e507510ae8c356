// The worker protocol, run in Node against the real built worker bundle and wasm core:
// {id, type, payload} in; {id, result} or {id, error: {name, code, message}} out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dist, fixtures } from './helpers.mjs';

for (const file of ['kefu-worker.js', 'kefu-core.mjs', 'kefu-core.wasm']) {
  if (!existsSync(join(dist, file))) throw new Error(`sdk-js/dist/${file} is missing: run ./scripts/build.sh`);
}

// A minimal dedicated-worker scope on globalThis: the bundle listens for 'message' and posts back.
const listeners = [];
const replies = [];
const waiting = new Map();
const fetched = [];
globalThis.addEventListener = (type, listener) => type === 'message' && listeners.push(listener);
globalThis.postMessage = (message) => {
  replies.push(message);
  if ('id' in message && waiting.has(message.id)) {
    waiting.get(message.id)(message);
    waiting.delete(message.id);
  }
};
const WASM_URL = 'https://shop.example/kefu/kefu-core.wasm';
const servingFetch = async (url) => {
  fetched.push(String(url));
  if (String(url) === WASM_URL) {
    const bytes = readFileSync(join(dist, 'kefu-core.wasm'));
    return new Response(bytes, { status: 200, headers: { 'Content-Length': String(bytes.length) } });
  }
  return new Response('not found', { status: 404 });
};
globalThis.fetch = servingFetch;
await import(pathToFileURL(join(dist, 'kefu-worker.js')).href);

let nextId = 1;
function call(type, payload) {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    for (const listener of listeners) listener({ data: { id, type, payload } });
  });
}

const kbText = readFileSync(join(fixtures, 'sdk-kb.json'), 'utf8');

test('before init, requests fail with UnavailableError on the wire', async () => {
  const reply = await call('ask', { text: 'hello', locale: 'en', now: null });
  assert.deepEqual(Object.keys(reply).sort(), ['error', 'id']);
  assert.equal(reply.error.name, 'UnavailableError');
  assert.equal(reply.error.code, 'unavailable');
});

test('init fetches only the wasm, loads the KB and reports progress', async () => {
  const before = replies.length;
  const reply = await call('init', { kbText, coreUrl: pathToFileURL(join(dist, 'kefu-core.mjs')).href, wasmUrl: WASM_URL });
  assert.ok(reply.result, JSON.stringify(reply.error));
  assert.equal(reply.result.kb.shop_id, 'fixture-shop');
  assert.equal(reply.result.kb.entries, 4);
  assert.equal(typeof reply.result.coreVersion, 'string');
  assert.deepEqual(fetched, [WASM_URL]);
  const progress = replies.slice(before).filter((message) => message.type === 'progress');
  assert.ok(progress.length >= 1);
  assert.equal(progress.at(-1).payload.file, 'wasm');
  assert.equal(progress.at(-1).payload.loaded, progress.at(-1).payload.total);
});

test('ask answers from the KB without any network request', async () => {
  globalThis.fetch = async () => assert.fail('ask must not touch the network');
  try {
    const reply = await call('ask', { text: 'how long does delivery to europe take', locale: 'en-GB', now: { weekday: 'mon', minutes: 600 } });
    assert.equal(reply.result.decision, 'answer');
    assert.equal(reply.result.entry_id, 'delivery-time-eu');
    assert.equal(reply.result.answer.text, 'Orders to the EU arrive in 3-5 working days.');
  } finally {
    globalThis.fetch = servingFetch;
  }
});

test('redact and buildEscalation remove PII before anything can be sent', async () => {
  const redacted = await call('redact', { text: 'mail me at ana@example.com' });
  assert.equal(redacted.result.redactions.length, 1);
  assert.equal(redacted.result.redactions[0].kind, 'email');
  assert.ok(!redacted.result.text.includes('ana@example.com'));
  const payload = await call('buildEscalation', {
    request: {
      idempotency_key: 'abcdef12-3456-7890-abcd-ef1234567890',
      reason: 'customer_request',
      locale: 'en-GB',
      language: 'en',
      page_url: 'https://shop.example/cart',
      transcript: [{ role: 'customer', text: 'my card is 4111 1111 1111 1111 and mail ana@example.com', at: '2026-11-22T10:14:02.000Z' }],
      user: { id: 'u-17', email: 'ana@example.com' },
    },
  });
  assert.ok(payload.result, JSON.stringify(payload.error));
  assert.equal(payload.result.schema, 'kefu.escalation/1');
  assert.equal(payload.result.shop_id, 'fixture-shop');
  assert.equal(payload.result.idempotency_key, 'abcdef12-3456-7890-abcd-ef1234567890');
  const serialized = JSON.stringify(payload.result);
  assert.ok(!serialized.includes('ana@example.com'), serialized);
  assert.ok(!serialized.includes('4111 1111 1111 1111'), serialized);
  assert.equal(payload.result.redaction.applied, true);
});

test('businessStatus uses the KB hours', async () => {
  const closed = await call('businessStatus', { now: { weekday: 'sat', minutes: 600 } });
  assert.equal(closed.result.open, false);
  assert.deepEqual(closed.result.next_open, { weekday: 'mon', time: '09:00' });
  assert.equal(closed.result.timezone, 'Europe/Berlin');
  const open = await call('businessStatus', { now: { weekday: 'tue', minutes: 600 } });
  assert.equal(open.result.open, true);
});

test('core failures and bad requests come back as {id, error: {name, code, message}}', async () => {
  const tooLong = await call('ask', { text: 'é'.repeat(6000), locale: 'en', now: null });
  assert.equal(tooLong.error.name, 'OutOfRangeError');
  assert.equal(tooLong.error.code, 'out_of_range');
  const badType = await call('frobnicate', { text: 'hi' });
  assert.equal(badType.error.name, 'InvalidArgumentError');
  assert.match(badType.error.message, /must be one of init, ask, redact, buildEscalation, businessStatus, reset, identify, translate/);
  const badRequest = await call('buildEscalation', { request: { reason: 'customer_request' } });
  assert.equal(badRequest.error.code, 'invalid_argument');
  const reset = await call('reset', {});
  assert.deepEqual(reset, { id: reset.id, result: null });
});

// ---- understanding models ---------------------------------------------------------------------

const MODELS = 'https://shop.example/kefu/models/';
const manifestText = readFileSync(join(dist, 'models', 'manifest.json'), 'utf8');
const manifest = JSON.parse(manifestText);
const modelFile = (name) => manifest.models.find((model) => model.name === name);

/** Serves the wasm and dist/models; `override(path)` may return a Response to replace a file. */
function modelServer(override = () => null) {
  return async (url) => {
    const href = String(url);
    fetched.push(href);
    if (href === WASM_URL) return servingFetch(url);
    if (!href.startsWith(MODELS)) return new Response('not found', { status: 404 });
    const path = href.slice(MODELS.length);
    const replaced = override(path);
    if (replaced) return replaced;
    const file = join(dist, 'models', ...path.split('/'));
    if (!existsSync(file)) return new Response('not found', { status: 404 });
    const bytes = readFileSync(file);
    return new Response(bytes, { status: 200, headers: { 'Content-Length': String(bytes.length) } });
  };
}

async function initWithModels(fetchImpl, extra = {}) {
  globalThis.fetch = fetchImpl;
  fetched.length = 0;
  const before = replies.length;
  try {
    const reply = await call('init', {
      kbText,
      coreUrl: pathToFileURL(join(dist, 'kefu-core.mjs')).href,
      wasmUrl: WASM_URL,
      models: { manifestUrl: `${MODELS}manifest.json` },
      ...extra,
    });
    return { reply, progress: replies.slice(before).filter((message) => message.type === 'progress').map((message) => message.payload) };
  } finally {
    globalThis.fetch = servingFetch;
  }
}

test('init with models: manifest and both files fetched, verified, loaded, with progress per file', async () => {
  const { reply, progress } = await initWithModels(modelServer());
  assert.ok(reply.result, JSON.stringify(reply.error));
  assert.deepEqual(reply.result.modelErrors, []);
  assert.deepEqual(reply.result.models.map((model) => model.name).sort(), ['langid', 'nlu']);
  for (const model of reply.result.models) assert.equal(model.sha256, modelFile(model.name).sha256);
  // The wasm core is already running: only the models are fetched on a second init.
  assert.deepEqual(fetched.sort(), [`${MODELS}langid/kefu-langid.bin`, `${MODELS}manifest.json`, `${MODELS}nlu/kefu-nlu.bin`]);
  for (const name of ['langid', 'nlu']) {
    const last = progress.filter((p) => p.file === name).at(-1);
    assert.ok(last, `progress for ${name}`);
    assert.equal(last.loaded, modelFile(name).bytes);
    assert.equal(last.total, modelFile(name).bytes);
  }
  globalThis.fetch = async () => assert.fail('ask must not touch the network');
  try {
    const asked = await call('ask', { text: 'Where is my order #A1234?', locale: 'en', now: null });
    assert.equal(asked.result.understanding.intent, 'track_order');
    assert.equal(asked.result.understanding.lang, 'en');
    assert.equal(asked.result.understanding.entities[0].value, 'A1234');
  } finally {
    globalThis.fetch = servingFetch;
  }
});

test('a corrupted model never reaches the core: DataLossError naming the file and both hashes; the rest works', async () => {
  const bytes = new Uint8Array(readFileSync(join(dist, 'models', 'nlu', 'kefu-nlu.bin')));
  bytes[4096] ^= 0x40;
  const { reply } = await initWithModels(modelServer((path) => (path === 'nlu/kefu-nlu.bin' ? new Response(bytes) : null)));
  assert.ok(reply.result, JSON.stringify(reply.error));
  assert.deepEqual(reply.result.models.map((model) => model.name), ['langid']);
  assert.equal(reply.result.modelErrors.length, 1);
  const [error] = reply.result.modelErrors;
  assert.equal(error.name, 'DataLossError');
  assert.equal(error.code, 'data_loss');
  assert.match(error.message, /nlu\/kefu-nlu\.bin: sha256 mismatch: the file has [0-9a-f]{64}/);
  assert.ok(error.message.includes(modelFile('nlu').sha256), error.message);
  const asked = await call('ask', { text: 'how long does delivery to europe take', locale: 'en', now: null });
  assert.equal(asked.result.entry_id, 'delivery-time-eu', 'retrieval still answers');
  assert.equal(asked.result.understanding.lang, 'en', 'the intact language model is used');
  assert.equal(asked.result.understanding.intent, undefined, 'no intent without the intent model');
});

test('a missing manifest or model file is reported and skipped; init still succeeds', async () => {
  const noManifest = await initWithModels(modelServer((path) => (path === 'manifest.json' ? new Response('gone', { status: 404 }) : null)));
  assert.ok(noManifest.reply.result, JSON.stringify(noManifest.reply.error));
  assert.deepEqual(noManifest.reply.result.models, []);
  assert.equal(noManifest.reply.result.modelErrors[0].code, 'unavailable');
  assert.match(noManifest.reply.result.modelErrors[0].message, /models\/manifest\.json: HTTP 404/);
  assert.deepEqual(fetched, [`${MODELS}manifest.json`], 'nothing else is fetched without a manifest');

  const badManifest = await initWithModels(modelServer((path) =>
    path === 'manifest.json' ? new Response(JSON.stringify({ models: [{ ...modelFile('nlu'), file: '../../secrets.bin' }] })) : null));
  assert.equal(badManifest.reply.result.modelErrors[0].code, 'invalid_argument');
  assert.match(badManifest.reply.result.modelErrors[0].message, /models\[0\]\.file: "\.\.\/\.\.\/secrets\.bin" must be a relative path/);

  const noLangid = await initWithModels(modelServer((path) => (path === 'langid/kefu-langid.bin' ? new Response('x', { status: 503 }) : null)));
  assert.deepEqual(noLangid.reply.result.models.map((model) => model.name), ['nlu']);
  assert.match(noLangid.reply.result.modelErrors[0].message, /langid\/kefu-langid\.bin: HTTP 503/);
});

test('a model that matches its manifest but that the core refuses is skipped, naming the core error', async () => {
  const truncated = readFileSync(join(dist, 'models', 'nlu', 'kefu-nlu.bin')).subarray(0, 5000);
  const { createHash } = await import('node:crypto');
  const sha256 = createHash('sha256').update(truncated).digest('hex');
  const forged = { models: [modelFile('langid'), { ...modelFile('nlu'), bytes: truncated.length, sha256 }] };
  const { reply } = await initWithModels(modelServer((path) =>
    path === 'manifest.json' ? new Response(JSON.stringify(forged)) : path === 'nlu/kefu-nlu.bin' ? new Response(truncated) : null));
  assert.deepEqual(reply.result.models.map((model) => model.name), ['langid']);
  assert.equal(reply.result.modelErrors.length, 1);
  assert.equal(reply.result.modelErrors[0].code, 'out_of_range');
  assert.match(reply.result.modelErrors[0].message, /^models: nlu\/kefu-nlu\.bin: the core refused it: model truncated/);
});

// ---- translation models: lazy -------------------------------------------------------------------

const SHA = (c) => c.repeat(64);
const mtEntry = {
  name: 'mt-en-de', kind: 'translation', languages: ['en', 'de'], version: '0.1.0', lazy: true,
  files: {
    config: { file: 'mt/en-de/config.json', bytes: 10, sha256: SHA('a') },
    spm: { file: 'mt/en-de/spm.model', bytes: 10, sha256: SHA('b') },
    encoder: { file: 'mt/en-de/encoder.onnx', bytes: 10, sha256: SHA('c') },
    decoder: { file: 'mt/en-de/decoder.onnx', bytes: 10, sha256: SHA('d') },
    weights: { file: 'mt/en-de/weights.q8', bytes: 10, sha256: SHA('e') },
    shortlist: { file: 'mt/en-de/shortlist.bin', bytes: 10, sha256: SHA('f') },
  },
  gzip_bytes: 40,
};

test('translation entries are lazy: init fetches neither ONNX Runtime nor a translation file', async () => {
  const withMt = JSON.stringify({ models: [...manifest.models.filter((model) => model.kind !== 'translation'), mtEntry] });
  const { reply } = await initWithModels(modelServer((path) => (path === 'manifest.json' ? new Response(withMt) : null)), { ortBaseUrl: 'https://shop.example/kefu/ort/' });
  assert.ok(reply.result, JSON.stringify(reply.error));
  assert.deepEqual(reply.result.modelErrors, []);
  assert.deepEqual(reply.result.models.map((model) => model.name).sort(), ['langid', 'nlu']);
  assert.deepEqual(fetched.sort(), [`${MODELS}langid/kefu-langid.bin`, `${MODELS}manifest.json`, `${MODELS}nlu/kefu-nlu.bin`]);
  assert.ok(!fetched.some((url) => url.includes('/mt/') || url.includes('/ort/')), fetched.join(', '));
  // Either the languages the models offer, or (a core without translator) why there are none.
  const { translation } = reply.result;
  if (translation.languages.length) assert.deepEqual(translation.languages, ['en', 'de']);
  else assert.match(translation.error.message, /no translator/);
  const id = await call('identify', { text: 'Wo ist meine Bestellung, bitte?' });
  assert.equal(id.result.lang, 'de');
});
