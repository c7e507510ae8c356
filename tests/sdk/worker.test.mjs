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
  const badType = await call('translate', { text: 'hi' });
  assert.equal(badType.error.name, 'InvalidArgumentError');
  assert.match(badType.error.message, /must be one of init, ask, redact, buildEscalation, businessStatus, reset/);
  const badRequest = await call('buildEscalation', { request: { reason: 'customer_request' } });
  assert.equal(badRequest.error.code, 'invalid_argument');
  const reset = await call('reset', {});
  assert.deepEqual(reset, { id: reset.id, result: null });
});
