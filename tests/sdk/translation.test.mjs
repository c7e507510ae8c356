// Translation in the SDK: the manifest's lazy translation entries, the route through English,
// verified downloads with Cache Storage, the conversation flow (assistant + a stand-in worker),
// and, where the wasm core has its translator and models/mt/en-de exists, the ONNX driver and
// `kefu translate` against the real model files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dist, lib, root } from './helpers.mjs';

const translation = await lib('translation');
const { fetchVerified, TRANSLATION_CACHE } = await lib('verified-fetch');
const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');

function entry(language, extra = {}) {
  const file = (name, c) => ({ file: `mt/en-${language}/${name}`, bytes: 10, sha256: c.repeat(64) });
  return {
    name: `mt-en-${language}`, kind: 'translation', languages: ['en', language], version: '0.1.0', lazy: true,
    files: { config: file('config.json', 'a'), spm: file('spm.model', 'b'), encoder: file('encoder.onnx', 'c'), decoder: file('decoder.onnx', 'd'), weights: file('weights.q8', 'e'), shortlist: file('shortlist.bin', 'f') },
    gzip_bytes: 40, ...extra,
  };
}
const manifestOf = (...models) => JSON.stringify({ models: [{ name: 'langid', file: 'langid/x.bin', bytes: 1, sha256: 'e'.repeat(64) }, ...models] });

test('manifest: translation entries are parsed, the others skipped, malformed ones named', () => {
  const entries = translation.parseTranslationManifest(manifestOf(entry('de'), entry('es')), 'm.json');
  assert.deepEqual(entries.map((e) => e.name), ['mt-en-de', 'mt-en-es']);
  assert.equal(entries[0].files.decoder.file, 'mt/en-de/decoder.onnx');
  assert.equal(entries[0].gzipBytes, 40);
  assert.deepEqual(translation.translationLanguages(entries), ['en', 'de', 'es']);
  assert.throws(() => translation.parseTranslationManifest(manifestOf(entry('de', { languages: ['de', 'es'] })), 'm.json'), /models\[1\]\.languages: must be \["en", "<language>"\]/);
  const escaping = entry('de');
  escaping.files.encoder.file = '../../etc/passwd';
  assert.throws(() => translation.parseTranslationManifest(manifestOf(escaping), 'm.json'), /models\[1\]\.files\.encoder\.file/);
  assert.throws(() => translation.parseTranslationManifest(manifestOf(entry('de'), entry('de')), 'm.json'), /listed twice/);
});

test('route: English pairs take one model, the others pivot through English', () => {
  const entries = translation.parseTranslationManifest(manifestOf(entry('de'), entry('es')), 'm.json');
  assert.deepEqual(translation.translationRoute(entries, 'de', 'en').map((h) => [h.from, h.to, h.entry.name]), [['de', 'en', 'mt-en-de']]);
  assert.deepEqual(translation.translationRoute(entries, 'en', 'es').map((h) => [h.from, h.to, h.entry.name]), [['en', 'es', 'mt-en-es']]);
  assert.deepEqual(translation.translationRoute(entries, 'de', 'es').map((h) => [h.from, h.to, h.entry.name]), [['de', 'en', 'mt-en-de'], ['en', 'es', 'mt-en-es']]);
  assert.throws(() => translation.translationRoute(entries, 'de', 'fr'), (error) => error.code === 'not_found' && /de→fr.*en→fr is missing.*available languages: en, de, es/.test(error.message));
  assert.throws(() => translation.translationRoute(entries, 'de', 'de'), (error) => error.code === 'invalid_argument');
});

// ---- verified downloads --------------------------------------------------------------------------

class FakeCache {
  constructor() { this.map = new Map(); this.deleted = []; }
  async match(url) { return this.map.has(url) ? new Response(this.map.get(url)) : undefined; }
  async put(url, response) { this.map.set(url, new Uint8Array(await response.arrayBuffer())); }
  async delete(url) { this.deleted.push(url); return this.map.delete(url); }
}
function fakeCaches(cache) {
  const opened = [];
  return { opened, open: async (name) => { opened.push(name); return cache; }, keys: async () => [TRANSLATION_CACHE, 'kefu-translation-v0'], delete: async () => true };
}

test('downloads: verified, cached, progress across all files up to the total', async () => {
  const a = new TextEncoder().encode('a'.repeat(5000));
  const b = new TextEncoder().encode('b'.repeat(3000));
  const specs = [{ url: 'https://s/a', bytes: a.length, sha256: sha(a) }, { url: 'https://s/b', bytes: b.length, sha256: sha(b) }];
  const fetched = [];
  const fetch = async (url) => { fetched.push(url); return new Response(url.endsWith('a') ? a : b); };
  const cache = new FakeCache();
  const progress = [];
  const first = await fetchVerified(specs, { fetch, caches: fakeCaches(cache), onProgress: (loaded, total) => progress.push([loaded, total]) });
  assert.deepEqual(first.sources, ['network', 'network']);
  assert.deepEqual(first.bytes.map((x) => x.length), [5000, 3000]);
  assert.deepEqual(progress.at(-1), [8000, 8000]);
  assert.ok(progress.every(([loaded, total], i) => total === 8000 && loaded <= total && (i === 0 || loaded >= progress[i - 1][0])));
  const second = await fetchVerified(specs, { fetch, caches: fakeCaches(cache) });
  assert.deepEqual(second.sources, ['cache', 'cache']);
  assert.equal(fetched.length, 2, 'the second load comes from Cache Storage');
});

test('downloads: a corrupted cached file is evicted and fetched again once', async () => {
  const a = new TextEncoder().encode('model bytes');
  const cache = new FakeCache();
  cache.map.set('https://s/a', new TextEncoder().encode('model bytez'));
  const fetched = [];
  const result = await fetchVerified([{ url: 'https://s/a', bytes: a.length, sha256: sha(a) }], {
    fetch: async (url) => { fetched.push(url); return new Response(a); },
    caches: fakeCaches(cache),
  });
  assert.deepEqual(result.sources, ['network']);
  assert.deepEqual(cache.deleted, ['https://s/a']);
  assert.deepEqual(fetched, ['https://s/a']);
  assert.equal(sha(cache.map.get('https://s/a')), sha(a), 'the good copy is cached');
});

test('downloads: sha256 mismatch is a DataLossError naming the URL and both hashes; 404 an UnavailableError; nothing bad is cached', async () => {
  const good = new TextEncoder().encode('good');
  const cache = new FakeCache();
  const spec = { url: 'https://s/mt/en-de/decoder.onnx', bytes: 4, sha256: sha(good) };
  await assert.rejects(
    fetchVerified([spec], { fetch: async () => new Response('evil'), caches: fakeCaches(cache) }),
    (error) => error.name === 'DataLossError' && error.message.includes(spec.url) && error.message.includes(sha(good)) && error.message.includes('sha256 mismatch'),
  );
  assert.equal(cache.map.size, 0);
  await assert.rejects(fetchVerified([spec], { fetch: async () => new Response('gone', { status: 404 }), caches: null }), (error) => error.name === 'UnavailableError' && /HTTP 404/.test(error.message));
  await assert.rejects(fetchVerified([spec], { fetch: async () => { throw new TypeError('offline'); }, caches: null }), (error) => error.name === 'UnavailableError' && /offline/.test(error.message));
});

// ---- the conversation flow, with a stand-in worker ------------------------------------------------

const kefu = await import(pathToFileURL(join(dist, 'kefu.mjs')).href);
const KB = { shop: { id: 'mt-shop', name: 'MT shop', default_language: 'en', languages: ['en'], escalation: { endpoint: 'https://help.example' } }, entries: [] };

/** A worker that answers like the real one; `translate` is the test's. */
function standInWorker(translate, requests) {
  const listeners = [];
  const reply = (data) => queueMicrotask(() => listeners.forEach((listener) => listener({ data })));
  const handlers = {
    init: () => ({ kb: { shop_id: 'mt-shop', name: 'MT shop', default_language: 'en', languages: ['en'], timezone: 'Europe/Berlin', entries: 1 }, coreVersion: 'test', models: [], modelErrors: [], translation: { languages: ['en', 'de'], error: null } }),
    identify: ({ text }) => (/[äöüß]|Bestellung|wo ist/i.test(text) ? { lang: 'de', lang_confidence: 0.99, entities: [] } : { lang: 'en', lang_confidence: 0.99, entities: [] }),
    // Like the core: the understanding reads `original` (the customer's own words) when given.
    ask: ({ text, original }) => ({ decision: 'answer', reason: 'matched', entry_id: 'where', answer: { text: `KB answer to: ${text}`, language: 'en' }, understanding: { lang: original ? 'de' : 'en', lang_confidence: 0.99, entities: [] } }),
    translate,
    redact: ({ text }) => ({ text, redactions: [] }),
    buildEscalation: ({ request }) => ({ idempotency_key: request.idempotency_key, transcript: request.transcript }),
    reset: () => null,
  };
  return {
    postMessage({ id, type, payload }) {
      requests.push({ type, payload });
      Promise.resolve()
        .then(() => handlers[type](payload))
        .then((result) => reply({ id, result }), (error) => reply({ id, error: { name: error.name, code: error.code, message: error.message } }));
    },
    addEventListener(type, listener) { if (type === 'message') listeners.push(listener); },
    terminate() {},
  };
}

async function assistantWith(translate) {
  const requests = [];
  const events = [];
  const assistant = await kefu.createAssistant({ kb: KB, storage: 'memory', baseUrl: 'https://shop.example/kefu/', locale: 'en', createWorker: () => standInWorker(translate, requests), fetch: async () => new Response('{}', { status: 503 }) });
  for (const name of ['translation-unavailable', 'error', 'translated']) assistant.on(name, (detail) => events.push([name, detail]));
  return { assistant, requests, events };
}

test('a German customer gets the English KB answer in German (formal), marked as machine-translated; the escalation carries both', async () => {
  const { assistant, requests, events } = await assistantWith(({ text, from, to, formal }) => ({ text: `[${from}→${to}${formal ? ' formal' : ''}] ${text}`, from, to, via: [], truncated: false, missingPlaceholders: 0 }));
  assert.equal(assistant.translationState, 'available');
  const result = await assistant.ask('Wo ist meine Bestellung?');
  const translateCalls = requests.filter((r) => r.type === 'translate').map((r) => r.payload);
  assert.deepEqual(translateCalls.map(({ from, to, formal }) => [from, to, formal]), [['de', 'en', false], ['en', 'de', true]]);
  assert.equal(requests.find((r) => r.type === 'ask').payload.text, '[de→en] Wo ist meine Bestellung?', 'the core answers the English translation');
  assert.equal(requests.find((r) => r.type === 'ask').payload.original, 'Wo ist meine Bestellung?', 'and understands the German original');
  assert.equal(result.answer.text, '[en→de formal] KB answer to: [de→en] Wo ist meine Bestellung?');
  assert.deepEqual(result.answer.original, { text: 'KB answer to: [de→en] Wo ist meine Bestellung?', language: 'en' });
  assert.equal(result.understanding.lang, 'de');
  assert.equal(result.reply.language, 'de');
  assert.equal(result.reply.original.language, 'en');
  const customer = assistant.transcript.find((m) => m.role === 'customer');
  assert.deepEqual(customer.translation, { text: '[de→en] Wo ist meine Bestellung?', language: 'en' });
  assert.equal(assistant.translationState, 'ready');
  assert.deepEqual(events.map(([name, detail]) => `${name}:${detail.purpose ?? ''}`), ['translated:message', 'translated:answer']);
  // Escalation: every line keeps what the customer wrote or saw, plus the agents' language.
  await assistant.escalate({ reason: 'customer_request' });
  const { request } = requests.find((r) => r.type === 'buildEscalation').payload;
  assert.deepEqual(request.transcript.map(({ role, text, translation }) => [role, text, translation]), [
    ['customer', 'Wo ist meine Bestellung?', { text: '[de→en] Wo ist meine Bestellung?', language: 'en' }],
    ['assistant', '[en→de formal] KB answer to: [de→en] Wo ist meine Bestellung?', { text: 'KB answer to: [de→en] Wo ist meine Bestellung?', language: 'en' }],
  ]);
  assistant.dispose();
});

test('a failed translation download (sha256 mismatch) leaves the chat working untranslated, with one translation-unavailable and error event', async () => {
  const { assistant, requests, events } = await assistantWith(() => {
    const error = new Error('https://shop.example/kefu/models/mt/en-de/decoder.onnx: sha256 mismatch: the file has 00…, the manifest says 11…');
    error.name = 'DataLossError';
    error.code = 'data_loss';
    throw error;
  });
  const result = await assistant.ask('Wo ist meine Bestellung?');
  assert.equal(result.decision, 'answer');
  assert.equal(result.answer.text, 'KB answer to: Wo ist meine Bestellung?', 'answered from the original text, untranslated');
  assert.equal(result.reply.original, undefined);
  assert.equal(assistant.translationState, 'unavailable');
  const unavailable = events.filter(([name]) => name === 'translation-unavailable');
  assert.equal(unavailable.length, 1);
  assert.equal(unavailable[0][1].error.code, 'data_loss');
  assert.deepEqual([unavailable[0][1].from, unavailable[0][1].to], ['de', 'en']);
  assert.ok(events.some(([name, detail]) => name === 'error' && detail.code === 'data_loss'));
  // The next message is not held up by another attempt.
  const before = requests.filter((r) => r.type === 'translate').length;
  await assistant.ask('Und wo ist mein Paket?');
  assert.equal(requests.filter((r) => r.type === 'translate').length, before);
  assert.equal(events.filter(([name]) => name === 'translation-unavailable').length, 1);
  assistant.dispose();
});

test('translate(): the beam size reaches the worker; a bad one is refused before', async () => {
  const { assistant, requests } = await assistantWith(({ text, from, to }) => ({ text, from, to, via: [], truncated: false, missingPlaceholders: 0 }));
  await assistant.translate('Hallo', { from: 'de', to: 'en', beam: 1 });
  assert.equal(requests.filter((r) => r.type === 'translate').at(-1).payload.beam, 1);
  await assistant.translate('Hallo', { from: 'de', to: 'en' });
  assert.equal(requests.filter((r) => r.type === 'translate').at(-1).payload.beam, undefined, 'the core default');
  for (const beam of [0, 9, 1.5, '2']) {
    await assert.rejects(assistant.translate('Hallo', { from: 'de', to: 'en', beam }), (e) => e.name === 'InvalidArgumentError' && /beam/.test(e.message));
  }
  assert.equal(requests.filter((r) => r.type === 'translate').length, 2);
});

test('an English customer of an English shop: nothing is translated, nothing is loaded', async () => {
  const { assistant, requests } = await assistantWith(() => assert.fail('nothing to translate'));
  const result = await assistant.ask('Where is my order?');
  assert.equal(result.answer.text, 'KB answer to: Where is my order?');
  assert.equal(requests.filter((r) => r.type === 'translate').length, 0);
  assert.equal(assistant.translationState, 'available');
  assistant.dispose();
});

// ---- the real models (when the core has its translator and models/mt/en-de exists) ---------------

const mtDir = join(root, 'models', 'mt', 'en-de');
async function coreWithTranslator() {
  const factory = (await import(pathToFileURL(join(dist, 'kefu-core.mjs')).href)).default;
  const core = await factory({ wasmBinary: readFileSync(join(dist, 'kefu-core.wasm')) });
  const assistant = new core.Assistant();
  return translation.Translator.supported(assistant) ? assistant : (assistant.delete(), null);
}
const realCore = await coreWithTranslator();
const skipReal = !existsSync(join(mtDir, 'decoder.onnx'))
  ? 'models/mt/en-de is absent (the translation models are not exported yet)'
  : !realCore
    ? 'the wasm core has no translator yet (loadTranslationModel/beginTranslation)'
    : false;
const distManifest = existsSync(join(dist, 'models', 'manifest.json')) ? readFileSync(join(dist, 'models', 'manifest.json'), 'utf8') : '{"models":[]}';

/** A Translator on ONNX Runtime Web in Node, with the en-de entry and its shipped files (not added). */
async function realTranslator() {
  const ort = await import(pathToFileURL(join(dist, 'ort', 'ort.wasm.min.mjs')).href);
  translation.configureOrt(ort, {
    mjsUrl: pathToFileURL(join(dist, 'ort', 'ort-wasm-simd-threaded.mjs')).href,
    wasmUrl: pathToFileURL(join(dist, 'ort', 'ort-wasm-simd-threaded.wasm')).href,
    wasmBinary: readFileSync(join(dist, 'ort', 'ort-wasm-simd-threaded.wasm')),
  });
  const entries = translation.parseTranslationManifest(distManifest, 'manifest.json');
  const [hop] = translation.translationRoute(entries, 'en', 'de');
  const files = Object.fromEntries(translation.TRANSLATION_FILE_ROLES.map((role) => [role, readFileSync(join(dist, 'models', hop.entry.files[role].file))]));
  return { translator: new translation.Translator(ort, realCore), entries, entry: hop.entry, files };
}

test('driver: de→en and en→de with the real models, ONNX Runtime Web in Node', { skip: skipReal }, async () => {
  const { translator, entries, entry, files } = await realTranslator();
  await translator.addPair(entry, files);
  const toEnglish = await translator.translate('Wo ist meine Bestellung #A1234?', translation.translationRoute(entries, 'de', 'en'), { beam: 2 });
  assert.ok(toEnglish.text.trim().length > 0, 'non-empty English');
  assert.match(toEnglish.text, /A1234/, 'the order number survives');
  const toGerman = await translator.translate('Where is my order?', translation.translationRoute(entries, 'en', 'de'), { formal: true });
  assert.ok(toGerman.text.trim().length > 0);
  assert.equal(toGerman.to, 'de');
  // Several sentences decode as one batch whose first step has several rows (and beams).
  for (const beam of [1, 2]) {
    const two = await translator.translate('Your parcel left today. Order GS-70345 costs €49.90, write to jane@example.com.',
      translation.translationRoute(entries, 'en', 'de'), { formal: true, beam });
    for (const span of ['GS-70345', '€49.90', 'jane@example.com']) assert.ok(two.text.includes(span), `beam ${beam}: ${span} kept in "${two.text}"`);
  }
});

test('driver: a long message decodes in several batches, each sentence back in its place', { skip: skipReal }, async () => {
  const { translator, entries, entry, files } = await realTranslator();
  // The core refuses a corrupted shortlist, and the error names the file.
  await assert.rejects(translator.addPair(entry, { ...files, shortlist: files.shortlist.subarray(0, 100) }, (role) => `files/${role}`),
    (error) => error.code === 'data_loss' && /files\/shortlist: .*shortlist/.test(error.message));
  await translator.addPair(entry, files);
  // 60 sentences of very different lengths: more than one batch of 1,024 padded tokens.
  const lines = Array.from({ length: 60 }, (_, i) => (i % 3 === 0
    ? `Order GS-${70000 + i} was shipped today and should arrive within three to five working days, please check the tracking link in your e-mail.`
    : `Thanks, order GS-${70000 + i}!`));
  const route = translation.translationRoute(entries, 'en', 'de');
  const out = await translator.translate(lines.join('\n'), route, { beam: 1 });
  const outLines = out.text.split('\n');
  assert.equal(outLines.length, lines.length);
  outLines.forEach((line, i) => assert.ok(line.includes(`GS-${70000 + i}`), `line ${i}: "${line}"`));
});

const kefuCli = join(root, 'scripts', 'kefu');
test('CLI translate: exactly one output line per input line, empty lines kept', { skip: skipReal }, () => {
  const input = 'Wo ist meine Bestellung?\n\nVielen Dank!\r\n   \nIch möchte das zurückgeben.';
  const result = spawnSync(kefuCli, ['translate', '--from', 'de', '--to', 'en'], { input, encoding: 'utf8', timeout: 300_000 });
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.split('\n');
  assert.equal(lines.pop(), '', 'output ends with a newline');
  assert.equal(lines.length, 5);
  assert.ok(lines[0].length > 0 && lines[2].length > 0 && lines[4].length > 0);
  assert.equal(lines[1], '');
  assert.equal(lines[3], '');
});

test('CLI translate: unknown pair exits 2 naming the available languages', { skip: skipReal }, () => {
  const result = spawnSync(kefuCli, ['translate', '--from', 'de', '--to', 'xx'], { input: 'hallo\n', encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /no model for de→xx.*available languages/);
  assert.equal(result.stdout, '');
});

test('CLI translate: a missing or corrupted model file stops before any output, naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kefu-mt-'));
  const bytes = Buffer.from('not really a model');
  const spec = { file: 'mt/en-de/config.json', bytes: bytes.length, sha256: sha(bytes) };
  const files = { config: spec, spm: { ...spec, file: 'mt/en-de/spm.model' }, encoder: { ...spec, file: 'mt/en-de/encoder.onnx' }, decoder: { ...spec, file: 'mt/en-de/decoder.onnx', sha256: 'f'.repeat(64) }, weights: { ...spec, file: 'mt/en-de/weights.q8' }, shortlist: { ...spec, file: 'mt/en-de/shortlist.bin' } };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ models: [{ name: 'mt-en-de', kind: 'translation', languages: ['en', 'de'], version: '0', lazy: true, files }] }));
  const missing = spawnSync(kefuCli, ['translate', '--from', 'de', '--to', 'en', '--models', dir], { input: 'hallo\n', encoding: 'utf8', timeout: 60_000 });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read .*mt\/en-de\/config\.json \(model mt-en-de\)/);
  assert.equal(missing.stdout, '');
  mkdirSync(join(dir, 'mt', 'en-de'), { recursive: true });
  for (const name of ['config.json', 'spm.model', 'encoder.onnx', 'decoder.onnx', 'weights.q8', 'shortlist.bin']) writeFileSync(join(dir, 'mt', 'en-de', name), bytes);
  const corrupted = spawnSync(kefuCli, ['translate', '--from', 'de', '--to', 'en', '--models', dir], { input: 'hallo\n', encoding: 'utf8', timeout: 60_000 });
  assert.equal(corrupted.status, 1);
  assert.match(corrupted.stderr, /decoder\.onnx: sha256 mismatch: the file has [0-9a-f]{64} \(18 bytes\), the manifest says f{64}/);
  assert.equal(corrupted.stdout, '');
});
