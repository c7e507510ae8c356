import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestStorage, lib } from './helpers.mjs';

const { Outbox, backoffDelay, parseRetryAfter, BACKOFF_MAX_MS } = await lib('outbox');

const KEY = 'kefu:test:outbox';
const ENDPOINT = 'http://escalations.example/';

function payload(key = 'key-0001-abcdef') {
  return { schema: 'kefu.escalation/1', idempotency_key: key, reason: 'customer_request', transcript: [] };
}

function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

/** A scripted fetch: each call takes the next step (a Response, or an Error to throw) and is recorded. */
function scriptedFetch(steps) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init, body: JSON.parse(init.body) });
    const step = steps.shift();
    if (!step) throw new Error('unexpected extra request');
    if (step instanceof Error) throw step;
    return step;
  };
  return { fetch, calls };
}

function makeOutbox(steps, storage = new TestStorage()) {
  const clock = { now: 1_000_000 };
  const scripted = scriptedFetch(steps);
  const outbox = new Outbox({ storage, storageKey: KEY, endpoint: ENDPOINT, fetch: scripted.fetch, now: () => clock.now, random: () => 0 });
  return { outbox, storage, clock, calls: scripted.calls };
}

const receipt = { conversation_id: 'c_1', token: 't0ken', status: 'open', duplicate: false };

test('back-off doubles from 1 s and caps at 60 s; jitter stays within 20 % and the cap', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => backoffDelay(n, 0)), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  for (let attempt = 1; attempt <= 10; attempt++) {
    const base = backoffDelay(attempt, 0);
    const high = backoffDelay(attempt, 0.9999);
    assert.ok(high >= base && high <= Math.min(BACKOFF_MAX_MS, base * 1.2), `attempt ${attempt}: ${high}`);
  }
  assert.equal(backoffDelay(1, 0, 30_000), 30_000, 'a longer Retry-After wins');
  assert.equal(backoffDelay(3, 0, 100), 4000, 'a shorter Retry-After does not shorten the back-off');
  assert.equal(parseRetryAfter('7', 0), 7000);
  assert.equal(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000), 6000);
  assert.equal(parseRetryAfter('soon', 0), null);
});

test('the payload is stored before the POST, and a failed POST stays queued', async () => {
  const storage = new TestStorage();
  let storedAtFetch = null;
  const outbox = new Outbox({
    storage,
    storageKey: KEY,
    endpoint: ENDPOINT,
    now: () => 5000,
    random: () => 0,
    fetch: async () => {
      storedAtFetch = JSON.parse(storage.getItem(KEY));
      throw new TypeError('Failed to fetch');
    },
  });
  outbox.enqueue(payload());
  const [result] = await outbox.flush();
  assert.equal(storedAtFetch.length, 1, 'stored before the request went out');
  assert.equal(storedAtFetch[0].idempotencyKey, 'key-0001-abcdef');
  assert.equal(result.status, 'retry');
  assert.equal(result.error.code, 'unavailable');
  assert.match(result.error.message, /Failed to fetch/);
  const [item] = outbox.list();
  assert.equal(item.attempts, 1);
  assert.equal(item.nextAttemptAt, 6000, 'first retry 1 s later');
  assert.equal(outbox.nextDueIn(), 1000);
});

test('retries wait for their time, reuse the idempotency key and are removed after success', async () => {
  const { outbox, clock, calls, storage } = makeOutbox([new TypeError('offline'), json(503, {}), json(201, receipt)]);
  outbox.enqueue(payload());
  assert.equal((await outbox.flush())[0].status, 'retry');
  clock.now += 500;
  assert.deepEqual(await outbox.flush(), [], 'not due yet: no request');
  assert.equal(calls.length, 1);
  clock.now += 500;
  const second = await outbox.flush();
  assert.equal(second[0].status, 'retry');
  assert.equal(second[0].item.attempts, 2);
  assert.equal(second[0].delayMs, 2000, 'second retry 2 s later');
  clock.now += 2000;
  const [third] = await outbox.flush();
  assert.equal(third.status, 'delivered');
  assert.deepEqual(third.receipt, receipt);
  assert.equal(calls.length, 3);
  for (const call of calls) {
    assert.equal(call.url, 'http://escalations.example/v1/escalations');
    assert.equal(call.init.method, 'POST');
    assert.equal(call.init.headers['Idempotency-Key'], 'key-0001-abcdef');
    assert.equal(call.body.idempotency_key, 'key-0001-abcdef');
  }
  assert.deepEqual(outbox.list(), []);
  assert.equal(storage.getItem(KEY), null, 'nothing left in storage');
  assert.equal(outbox.nextDueIn(), null);
});

test('a 429 honours Retry-After; a 200 duplicate counts as delivered', async () => {
  const { outbox, clock } = makeOutbox([json(429, { error: { code: 'unavailable', message: 'slow down' } }, { 'Retry-After': '30' }), json(200, { ...receipt, duplicate: true })]);
  outbox.enqueue(payload());
  const [first] = await outbox.flush();
  assert.equal(first.status, 'retry');
  assert.equal(first.delayMs, 30_000);
  assert.match(first.error.message, /429.*slow down/);
  clock.now += 30_000;
  const [second] = await outbox.flush();
  assert.equal(second.status, 'delivered');
  assert.equal(second.receipt.duplicate, true);
});

test('a 4xx other than 408/429 drops the item with the server error', async () => {
  const { outbox } = makeOutbox([json(400, { error: { code: 'invalid_argument', message: 'transcript[0].role: must be one of customer, assistant, agent' } })]);
  outbox.enqueue(payload());
  const [result] = await outbox.flush();
  assert.equal(result.status, 'rejected');
  assert.equal(result.error.code, 'invalid_argument');
  assert.equal(result.error.name, 'InvalidArgumentError');
  assert.match(result.error.message, /^server answered 400: transcript\[0\]\.role/);
  assert.deepEqual(outbox.list(), []);
});

test('a queued item survives a reload (new Outbox on the same storage) and is sent then', async () => {
  const storage = new TestStorage();
  const first = makeOutbox([new TypeError('offline')], storage);
  first.outbox.enqueue(payload('reload-key-123'));
  await first.outbox.flush();
  const second = makeOutbox([json(201, receipt)], storage);
  const pending = second.outbox.list();
  assert.equal(pending.length, 1);
  assert.equal(pending[0].attempts, 1);
  const [result] = await second.outbox.flush({ force: true });
  assert.equal(result.status, 'delivered');
  assert.equal(second.calls[0].init.headers['Idempotency-Key'], 'reload-key-123');
});

test('enqueueing the same key twice keeps one item', () => {
  const { outbox } = makeOutbox([]);
  outbox.enqueue(payload());
  outbox.enqueue(payload());
  assert.equal(outbox.list().length, 1);
});

test('a malformed idempotency key is refused before anything is stored', () => {
  const { outbox, storage } = makeOutbox([]);
  assert.throws(() => outbox.enqueue({ idempotency_key: 'short' }), { code: 'invalid_argument' });
  assert.throws(() => outbox.enqueue({ idempotency_key: 'bad key with spaces' }), /A-Za-z0-9_-/);
  assert.equal(storage.getItem(KEY), null);
});

test('clear (reset) erases the outbox and a request in flight does not bring it back', async () => {
  const storage = new TestStorage();
  let release;
  const outbox = new Outbox({
    storage,
    storageKey: KEY,
    endpoint: ENDPOINT,
    now: () => 0,
    random: () => 0,
    fetch: () => new Promise((_, reject) => (release = () => reject(new TypeError('offline')))),
  });
  outbox.enqueue(payload());
  const flushing = outbox.flush();
  await new Promise((resolve) => setImmediate(resolve));
  outbox.clear();
  release();
  const [result] = await flushing;
  assert.equal(result.status, 'retry');
  assert.deepEqual(outbox.list(), []);
  assert.equal(storage.getItem(KEY), null);
});

test('when storage refuses the write, the item is still delivered from memory', async () => {
  const storage = new TestStorage();
  storage.refuseWrites = true;
  const { outbox, calls } = makeOutbox([json(201, receipt)], storage);
  const { persisted } = outbox.enqueue(payload());
  assert.equal(persisted, false);
  assert.equal(outbox.list().length, 1);
  const [result] = await outbox.flush();
  assert.equal(result.status, 'delivered');
  assert.equal(calls.length, 1);
  assert.deepEqual(outbox.list(), []);
});

test('a 2xx without conversation_id/token is dropped with an error instead of retried forever', async () => {
  const { outbox } = makeOutbox([json(201, { ok: true })]);
  outbox.enqueue(payload());
  const [result] = await outbox.flush();
  assert.equal(result.status, 'rejected');
  assert.equal(result.error.code, 'internal');
  assert.deepEqual(outbox.list(), []);
});
