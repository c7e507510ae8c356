// Smoke test of the wasm build's JS API (contracts.md): loads kefu-core.mjs with wasmBinary
// (the 3.1.6 glue cannot fetch files in Node) and calls every method once.
//   node tests/core/wasm_smoke.mjs [build/wasm/wasm]
// Exits 77 (ctest: skipped) when the wasm build is absent.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.resolve(process.argv[2] ?? path.join(root, 'build/wasm/wasm'));
const mjs = path.join(dir, 'kefu-core.mjs');
if (!existsSync(mjs)) {
  console.log(`skip: ${mjs} not built (cmake --preset wasm && cmake --build --preset wasm)`);
  process.exit(77);
}

const glue = readFileSync(mjs, 'utf8');
assert.equal(/new Function|eval\(/.test(glue), false, 'glue must not use eval/new Function (CSP)');

const { default: createKefuCore } = await import(pathToFileURL(mjs).href);
const core = await createKefuCore({ wasmBinary: readFileSync(path.join(dir, 'kefu-core.wasm')) });

assert.match(core.version(), /^\d+\.\d+\.\d+$/);
assert.deepEqual(core.normalize('ＡＢＣ Élan'), { ok: true, value: 'abc elan' });
assert.deepEqual(core.tokenize('退货'), { ok: true, value: ['退', '退货', '货'] });
// Raw bytes (Embind accepts a Uint8Array for std::string) reach C++ unchanged.
const bad = core.normalize(new Uint8Array([0x61, 0x62, 0x63, 0xff]));
assert.equal(bad.ok, false);
assert.equal(bad.code, 'invalid_argument');
assert.equal(bad.message, 'text is not valid UTF-8 (byte 3)');
// A lone surrogate in a JS string is rewritten by Embind's string glue before C++ sees it
// (3.1.6 encodes it as a 4-byte sequence), so it cannot be reported; it must not crash.
assert.equal(core.normalize('abc\uD800').ok, true);

const kb = {
  kefu_kb: 1,
  shop: {
    id: 'global-select', name: 'Global Select', default_language: 'en', languages: ['en', 'es'],
    timezone: 'Europe/Berlin', business_hours: { mon: [['09:00', '18:00']] },
    escalation: { endpoint: 'http://127.0.0.1:8787' },
  },
  entries: [
    { id: 'delivery-time', intent: 'delivery_period',
      questions: { en: ['How long does delivery take?'], es: ['¿Cuánto tarda el envío?'] },
      answers: { en: '3-5 days.', es: '3-5 días.' } },
    { id: 'returns', intent: 'check_refund_policy',
      questions: { en: ['What is your return policy?'] }, answers: { en: '30 days.' } },
  ],
};

const a = new core.Assistant();
const before = a.ask('hello', '');
assert.equal(before.code, 'unavailable');

const loaded = a.loadKnowledgeBase(JSON.stringify(kb));
assert.equal(loaded.ok, true, loaded.message);
assert.equal(loaded.value.shop_id, 'global-select');
assert.equal(loaded.value.entries, 2);

const badKb = a.loadKnowledgeBase(JSON.stringify({ ...kb, entries: [{ ...kb.entries[0], intent: 'refund_me' }] }));
assert.equal(badKb.code, 'invalid_argument');
assert.match(badKb.message, /^entries\[0\]\.intent: unknown intent "refund_me"/);

const answer = a.ask('¿Cuánto tarda el envío?', JSON.stringify({ locale: 'es-ES' }));
assert.equal(answer.ok, true);
assert.equal(answer.value.decision, 'answer');
assert.deepEqual(answer.value.answer, { text: '3-5 días.', language: 'es' });
assert.ok(answer.value.confidence > 0.5 && answer.value.confidence <= 1);

const miss1 = a.ask('tell me a joke', '');
assert.equal(miss1.value.reason, 'no_match');
assert.deepEqual(a.resetConversation(), { ok: true, value: null });
assert.equal(a.ask('tell me a joke', '').value.reason, 'no_match');
const miss2 = a.ask('sing a song', JSON.stringify({ now: { weekday: 'sat', minutes: 600 } }));
assert.equal(miss2.value.decision, 'escalate');
assert.equal(miss2.value.reason, 'no_match_twice');
assert.equal(a.ask('I want to talk to a human', '').value.reason, 'customer_request');

assert.equal(a.ask('x'.repeat(10001), '').code, 'out_of_range');

const red = a.redact('😀 mail a@b.example');
assert.equal(red.ok, true);
assert.equal(red.value.text, '😀 mail [email]');
const [r0] = red.value.redactions;
assert.equal('😀 mail a@b.example'.slice(r0.start, r0.end), 'a@b.example');

const esc = a.buildEscalation(JSON.stringify({
  idempotency_key: 'smoke-test-0001', reason: 'customer_request', locale: 'es-ES', language: 'es',
  page_url: 'http://127.0.0.1:8080/', created_at: '2026-11-22T10:15:00Z',
  transcript: [{ role: 'customer', text: 'tarjeta 4111 1111 1111 1111', at: '2026-11-22T10:14:02Z' }],
}));
assert.equal(esc.ok, true, esc.message);
assert.equal(esc.value.schema, 'kefu.escalation/1');
assert.equal(esc.value.transcript[0].text, 'tarjeta [card]');
assert.equal(esc.value.redaction.counts.card, 1);

const open = a.businessStatus(JSON.stringify({ weekday: 'mon', minutes: 600 }));
assert.deepEqual(open.value, { open: true, timezone: 'Europe/Berlin' });
const closed = a.businessStatus(JSON.stringify({ weekday: 'sat', minutes: 600 }));
assert.deepEqual(closed.value.next_open, { weekday: 'mon', time: '09:00' });

// Translation: the job state machine driven by a JS "copy the source" decoder, when an en-de
// SentencePiece model is present (models/mt/en-de, else the training data's).
const spm = [path.join(root, 'models/mt/en-de/spm.model'), path.join(root, 'build/mt-data/en-de/spm.model')]
  .find((p) => existsSync(p));
assert.equal(a.beginTranslation('Hi', 'en', 'de', undefined).code, 'unavailable');
assert.equal(a.loadTranslationModel('de', new Uint8Array([1, 2, 3]), undefined).code, 'data_loss');
if (spm) {
  // With the shipped lexical shortlist when there is one: the logits then have one column per
  // output id the core picked for the batch.
  const shortlistPath = path.join(path.dirname(spm), 'shortlist.bin');
  const shortlist = existsSync(shortlistPath) ? new Uint8Array(readFileSync(shortlistPath)) : undefined;
  assert.equal(a.loadTranslationModel('de', new Uint8Array(readFileSync(spm)), new Uint8Array([1, 2])).code, 'data_loss');
  assert.equal(a.loadTranslationModel('de', new Uint8Array(readFileSync(spm)), shortlist).ok, true);
  const source = 'Order GS-70345 costs €49.90.\n\nWrite to anna@example.com!';
  const begun = a.beginTranslation(source, 'en', 'de', { beam: 2, formal: true });
  assert.equal(begun.ok, true, begun.message);
  const job = begun.value;
  const enc = job.encoderInput();
  assert.equal(enc.rows, 2);
  assert.ok(enc.ids instanceof Int32Array && enc.ids.length === enc.rows * enc.cols);
  const rows = [];  // content ids of each encoder row (no tags, </s>, padding)
  for (let r = 0; r < enc.rows; r++) {
    rows.push([...enc.ids.subarray(r * enc.cols, (r + 1) * enc.cols)].filter((t) => t > 16 || (t > 3 && t < 13)));
  }
  const ids = enc.outputIds;
  assert.ok(ids instanceof Int32Array && ids.length > 0 && ids.length <= 8000);
  if (shortlist) assert.ok(ids.length < 8000);
  const vocab = ids.length;  // columns of the logits
  const column = (id) => { const c = ids.indexOf(id); assert.ok(c >= 0, `id ${id} is scored`); return c; };
  assert.equal(job.advance(new Float32Array(vocab), 1).code, 'invalid_argument');  // 1 row, 2 expected
  while (!job.done()) {
    const s = job.stepInput();
    assert.ok(s.tokens instanceof Int32Array && s.rowSrc.length === s.rows && s.reorder.length === s.rows);
    const logits = new Float32Array(s.rows * vocab);
    for (let i = 0; i < s.rows; i++) {
      const want = rows[s.rowSrc[i]][s.position] ?? 3;
      logits[i * vocab + column(3)] = -5;
      logits[i * vocab + column(want)] = 10;
    }
    const step = job.advance(logits, s.rows);
    assert.equal(step.ok, true, step.message);
  }
  const out = job.result();
  assert.equal(out.ok, true, out.message);
  assert.equal(out.value.text, source);
  assert.deepEqual(out.value.protected.map((p) => p.kind), ['code', 'amount', 'email']);
  job.delete();
  const empty = a.beginTranslation('', 'en', 'de', '{"beam":1}').value;
  assert.equal(empty.done(), true);
  assert.equal(empty.result().value.text, '');
  empty.delete();
  assert.equal(a.beginTranslation('Hi', 'en', 'de', { beam: 0 }).code, 'invalid_argument');
}

a.delete();
console.log('wasm smoke: ok');
