// HTTP-level tests of the real kefu-server binary: each server runs on a free port with a
// temporary database. Run with `node --test tests/server/` (after the native build) or ctest.
// KEFU_SERVER_BIN overrides the binary (ctest points it at its own build).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const serverBin = process.env.KEFU_SERVER_BIN || path.join(repoRoot, 'build/native/server/kefu-server');
const DESK_TOKEN = 'desk-token-for-tests-0123456789';
const SHOP_ORIGIN = 'http://shop.example';

function requireTools() {
  assert.ok(existsSync(serverBin),
            `kefu-server not found at ${serverBin}: build it first (cmake --build --preset native)`);
  execFileSync('sqlite3', ['-version']);  // throws (fails the test) when the CLI is missing
}

// Starts kefu-server with a config file; resolves once it prints its "listening" line.
async function startServer(dir, dbPath, overrides = {}) {
  const configPath = path.join(dir, `server-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(configPath, JSON.stringify({
    listen: '127.0.0.1',
    port: 0,
    db: dbPath,
    desk_token: DESK_TOKEN,
    allowed_origins: [SHOP_ORIGIN],
    max_body_bytes: 64 * 1024,
    max_message_bytes: 2000,
    rate_limit: { per_minute: 6000, burst: 1000 },
    ...overrides,
  }));
  const child = spawn(serverBin, ['--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const base = await new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`kefu-server did not start:\n${stderr}`)), 10000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = stdout.match(/kefu-server listening on (http:\/\/127\.0\.0\.1:\d+) \(db /);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kefu-server exited with ${code}:\n${stderr}`));
    });
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    base,
    stderr: () => stderr,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

let keyCounter = 0;
function newKey() {
  keyCounter += 1;
  return `test-key-${process.pid}-${Date.now()}-${keyCounter}`;
}

function payload(key, overrides = {}) {
  return {
    schema: 'kefu.escalation/1',
    idempotency_key: key,
    shop_id: 'global-select',
    reason: 'customer_request',
    created_at: '2026-11-22T10:15:00Z',
    customer: { locale: 'es-ES', language: 'es' },
    page_url: 'http://shop.example/cart',
    transcript: [
      { role: 'customer', text: '¿Dónde está mi pedido A1234?', at: '2026-11-22T10:14:02Z' },
      { role: 'assistant', text: 'No encuentro una respuesta.', at: '2026-11-22T10:14:03Z' },
    ],
    redaction: { applied: true, counts: { email: 0, phone: 0, card: 0, iban: 0 } },
    ...overrides,
  };
}

async function postEscalation(base, body, { key = body.idempotency_key, origin, contentType } = {}) {
  const headers = { 'Content-Type': contentType || 'application/json' };
  if (key) headers['Idempotency-Key'] = key;
  if (origin) headers.Origin = origin;
  const response = await fetch(`${base}/v1/escalations`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { response, json: await response.json() };
}

function desk(base, method, urlPath, body, token = DESK_TOKEN) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(`${base}${urlPath}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

function sqlite(dbPath, sql) {
  return execFileSync('sqlite3', [dbPath, sql], { encoding: 'utf8' }).trim();
}

// Reads an SSE response into parsed events; next() waits for one matching a predicate.
class SseReader {
  constructor(response, controller) {
    this.controller = controller;
    this.events = [];
    this.comments = [];
    this.waiters = [];
    this.ended = false;
    this.pump(response.body.getReader());
  }

  async pump(reader) {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // aborted by close()
    }
    this.ended = true;
    this.wake();
  }

  parse(block) {
    const event = { id: null, event: 'message', data: '' };
    let hasData = false;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line);
      else if (line.startsWith('id: ')) event.id = line.slice(4);
      else if (line.startsWith('event: ')) event.event = line.slice(7);
      else if (line.startsWith('data: ')) { event.data += line.slice(6); hasData = true; }
    }
    if (hasData) {
      event.data = JSON.parse(event.data);
      this.events.push(event);
      this.wake();
    }
  }

  wake() {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  async next(predicate, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      if (this.ended) throw new Error(`stream ended; events: ${JSON.stringify(this.events)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching event in ${timeoutMs} ms; got ${JSON.stringify(this.events)}`);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  async waitEnd(timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.ended;
  }

  close() {
    this.controller.abort();
  }
}

async function openEvents(base, id, token, { after, lastEventId, origin } = {}) {
  const controller = new AbortController();
  const query = new URLSearchParams({ token });
  if (after !== undefined) query.set('after', String(after));
  const headers = { Accept: 'text/event-stream' };
  if (lastEventId !== undefined) headers['Last-Event-ID'] = String(lastEventId);
  if (origin) headers.Origin = origin;
  const response = await fetch(`${base}/v1/conversations/${id}/events?${query}`, {
    headers,
    signal: controller.signal,
  });
  return { response, stream: response.ok ? new SseReader(response, controller) : null };
}

let dir;
let dbPath;
let server;

before(async () => {
  requireTools();
  dir = mkdtempSync(path.join(tmpdir(), 'kefu-server-http-'));
  dbPath = path.join(dir, 'data', 'kefu.db');  // parent folder does not exist yet
  server = await startServer(dir, dbPath);
});

after(async () => {
  if (server) await server.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('healthz answers and every response carries nosniff', async () => {
  const response = await fetch(`${server.base}/healthz`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { ok: true });
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
});

test('an escalation is stored once: 201, then 200 duplicate with the same id and token', async () => {
  const key = newKey();
  const first = await postEscalation(server.base, payload(key), { origin: SHOP_ORIGIN });
  assert.equal(first.response.status, 201);
  assert.equal(first.response.headers.get('access-control-allow-origin'), SHOP_ORIGIN);
  assert.match(first.json.conversation_id, /^c_[A-Za-z0-9_-]+$/);
  assert.ok(first.json.token.length >= 40);
  assert.equal(first.json.status, 'open');
  assert.equal(first.json.duplicate, false);

  const again = await postEscalation(server.base, payload(key));
  assert.equal(again.response.status, 200);
  assert.deepEqual(again.json, { ...first.json, duplicate: true });

  // Concurrent retries with the same key also land on the one stored row.
  const racing = await Promise.all([1, 2, 3, 4].map(() => postEscalation(server.base, payload(key))));
  for (const r of racing) assert.equal(r.json.conversation_id, first.json.conversation_id);

  assert.equal(sqlite(dbPath, `SELECT COUNT(*) FROM conversations WHERE idempotency_key = '${key}'`), '1');
  assert.equal(sqlite(dbPath, `SELECT COUNT(*) FROM messages WHERE conversation_id = '${first.json.conversation_id}'`), '2');
  assert.equal(sqlite(dbPath, 'PRAGMA journal_mode'), 'wal');
});

test('malformed JSON is 400 with the parser position; invalid fields are 400 naming the field', async () => {
  const broken = await postEscalation(server.base, '{"schema": "kefu.escalation/1", ', { key: newKey() });
  assert.equal(broken.response.status, 400);
  assert.equal(broken.json.error.code, 'invalid_argument');
  assert.match(broken.json.error.message, /not valid JSON \(byte \d+\).*column \d+/);

  const key = newKey();
  const body = payload(key);
  body.transcript[1].role = 'robot';
  const badRole = await postEscalation(server.base, body);
  assert.equal(badRole.response.status, 400);
  assert.equal(badRole.json.error.message, 'transcript[1].role: must be one of customer, assistant, agent');

  const mismatch = await postEscalation(server.base, payload(newKey()), { key: 'different-key-123' });
  assert.equal(mismatch.response.status, 400);
  assert.match(mismatch.json.error.message, /^idempotency_key: must equal the Idempotency-Key header/);

  const tooLong = payload(newKey());
  tooLong.transcript[0].text = 'x'.repeat(2001);
  const long = await postEscalation(server.base, tooLong);
  assert.equal(long.response.status, 400);
  assert.equal(long.json.error.code, 'out_of_range');
  assert.match(long.json.error.message, /^transcript\[0\]\.text: 2001 bytes/);
  assert.equal(sqlite(dbPath, `SELECT COUNT(*) FROM conversations WHERE idempotency_key = '${key}'`), '0');
});

test('oversize bodies are 413 and non-JSON bodies 415', async () => {
  const big = payload(newKey());
  big.transcript = Array.from({ length: 100 }, () => ({ role: 'customer', text: 'y'.repeat(1000), at: '2026-11-22T10:14:02Z' }));
  const oversize = await postEscalation(server.base, big);
  assert.equal(oversize.response.status, 413);
  assert.equal(oversize.json.error.code, 'out_of_range');

  const key = newKey();
  const plain = await postEscalation(server.base, JSON.stringify(payload(key)), { contentType: 'text/plain' });
  assert.equal(plain.response.status, 415);
  assert.equal(sqlite(dbPath, `SELECT COUNT(*) FROM conversations WHERE idempotency_key = '${key}'`), '0');
});

test('origins outside the allow-list get 403 and no CORS headers; preflight is answered', async () => {
  const key = newKey();
  const denied = await postEscalation(server.base, payload(key), { origin: 'https://evil.example' });
  assert.equal(denied.response.status, 403);
  assert.equal(denied.json.error.code, 'permission_denied');
  assert.equal(denied.response.headers.get('access-control-allow-origin'), null);
  assert.equal(sqlite(dbPath, `SELECT COUNT(*) FROM conversations WHERE idempotency_key = '${key}'`), '0');

  const preflight = await fetch(`${server.base}/v1/escalations`, {
    method: 'OPTIONS',
    headers: { Origin: SHOP_ORIGIN, 'Access-Control-Request-Method': 'POST',
               'Access-Control-Request-Headers': 'content-type, idempotency-key' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), SHOP_ORIGIN);
  assert.match(preflight.headers.get('access-control-allow-headers'), /Idempotency-Key/);
  assert.match(preflight.headers.get('access-control-allow-methods'), /POST/);

  const badPreflight = await fetch(`${server.base}/v1/escalations`, {
    method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
  });
  assert.equal(badPreflight.status, 403);
});

test('the desk API refuses requests without or with a wrong token', async () => {
  for (const token of [null, 'wrong-token']) {
    const response = await desk(server.base, 'GET', '/v1/desk/conversations', undefined, token);
    assert.equal(response.status, 401);
    assert.equal((await response.json()).error.code, 'unauthenticated');
  }
  const bad = await desk(server.base, 'GET', '/v1/desk/conversations?status=maybe');
  assert.equal(bad.status, 400);
});

test('SSE replays after Last-Event-ID / ?after, then streams an agent reply posted on the desk', async () => {
  const created = (await postEscalation(server.base, payload(newKey()))).json;
  const id = created.conversation_id;

  const wrong = await openEvents(server.base, id, 'not-the-token');
  assert.equal(wrong.response.status, 401);
  const unknown = await openEvents(server.base, 'c_doesnotexist', created.token);
  assert.equal(unknown.response.status, 404);

  const { response, stream } = await openEvents(server.base, id, created.token, { after: 1, origin: SHOP_ORIGIN });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^text\/event-stream/);
  assert.equal(response.headers.get('access-control-allow-origin'), SHOP_ORIGIN);
  try {
    const replayed = await stream.next((e) => e.event === 'message');
    assert.equal(replayed.id, '2');  // seq 1 was skipped by ?after=1
    assert.equal(replayed.data.role, 'assistant');

    const reply = await desk(server.base, 'POST', `/v1/desk/conversations/${id}/messages`,
                             { text: 'Hola, soy Ana. ¿En qué te ayudo?', author: 'Ana' });
    assert.equal(reply.status, 201);
    assert.deepEqual(await reply.json(), { seq: 3 });

    const live = await stream.next((e) => e.event === 'message' && e.data.role === 'agent');
    assert.equal(live.id, '3');
    assert.equal(live.data.seq, 3);
    assert.equal(live.data.text, 'Hola, soy Ana. ¿En qué te ayudo?');
    assert.equal(live.data.author, 'Ana');
    assert.match(live.data.created_at, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(stream.events.map((e) => e.id), ['2', '3']);

    const closed = await desk(server.base, 'POST', `/v1/desk/conversations/${id}/close`);
    assert.equal(closed.status, 200);
    const status = await stream.next((e) => e.event === 'status');
    assert.deepEqual(status.data, { status: 'closed' });
    assert.ok(await stream.waitEnd(), 'the stream ends after status closed');
  } finally {
    stream.close();
  }

  // Reconnecting with Last-Event-ID (what EventSource does) replays only what came after it.
  const again = await openEvents(server.base, id, created.token, { after: 0, lastEventId: 2 });
  try {
    await again.stream.next((e) => e.event === 'status');
    assert.deepEqual(again.stream.events.map((e) => e.id ?? e.event), ['3', 'status']);
  } finally {
    again.stream.close();
  }

  const late = await desk(server.base, 'POST', `/v1/desk/conversations/${id}/messages`, { text: 'late' });
  assert.equal(late.status, 409);
});

test('a customer follow-up appears in the desk conversation; bad tokens and ids are refused', async () => {
  const key = newKey();
  const created = (await postEscalation(server.base, payload(key))).json;
  const id = created.conversation_id;
  const post = (conversation, token, body) => fetch(`${server.base}/v1/conversations/${conversation}/messages`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Origin: SHOP_ORIGIN },
    body: JSON.stringify(body),
  });

  const followUp = await post(id, created.token, { text: 'Mi correo es [email]' });
  assert.equal(followUp.status, 201);
  assert.deepEqual(await followUp.json(), { seq: 3 });

  assert.equal((await post(id, 'wrong-token', { text: 'x' })).status, 401);
  assert.equal((await post('c_unknown0000', created.token, { text: 'x' })).status, 404);
  assert.equal((await post(id, created.token, { text: 42 })).status, 400);

  const detail = await desk(server.base, 'GET', `/v1/desk/conversations/${id}`);
  assert.equal(detail.status, 200);
  const conversation = await detail.json();
  assert.equal(conversation.status, 'open');
  assert.equal(conversation.locale, 'es-ES');
  assert.equal(conversation.language, 'es');
  assert.equal(conversation.payload.idempotency_key, key);
  assert.equal(conversation.payload.page_url, 'http://shop.example/cart');
  assert.deepEqual(conversation.messages.map((m) => [m.seq, m.role, m.text]), [
    [1, 'customer', '¿Dónde está mi pedido A1234?'],
    [2, 'assistant', 'No encuentro una respuesta.'],
    [3, 'customer', 'Mi correo es [email]'],
  ]);

  const list = await (await desk(server.base, 'GET', '/v1/desk/conversations?status=open')).json();
  const summary = list.conversations.find((c) => c.id === id);
  assert.ok(summary, 'the conversation is listed as open');
  assert.equal(summary.first_customer_message, '¿Dónde está mi pedido A1234?');
  assert.equal(summary.message_count, 3);

  await desk(server.base, 'POST', `/v1/desk/conversations/${id}/close`);
  assert.equal((await post(id, created.token, { text: 'still there?' })).status, 409);
});

function postFollowUp(base, id, token, body) {
  return fetch(`${base}/v1/conversations/${id}/messages`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Origin: SHOP_ORIGIN },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
}

test('a follow-up\'s translation is stored, listed on the desk and streamed; invalid ones are 400', async () => {
  const body = payload(newKey());
  body.transcript[0].translation = { text: 'Where is my order A1234?', language: 'en', machine: true };
  const created = (await postEscalation(server.base, body)).json;
  const id = created.conversation_id;
  const translation = { text: 'My e-mail is [email]', language: 'en', machine: true };

  const { stream } = await openEvents(server.base, id, created.token, { after: 2 });
  try {
    const withTranslation = await postFollowUp(server.base, id, created.token, { text: 'Mi correo es [email]', translation });
    assert.equal(withTranslation.status, 201);
    assert.deepEqual(await withTranslation.json(), { seq: 3 });
    const plain = await postFollowUp(server.base, id, created.token, { text: 'Gracias' });
    assert.equal(plain.status, 201);
    assert.deepEqual(await plain.json(), { seq: 4 });
    const asString = await postFollowUp(server.base, id, created.token, { text: '¿Hola?', translation: 'Hello?' });
    assert.equal(asString.status, 201);

    const streamed = await stream.next((e) => e.event === 'message' && e.data.seq === 3);
    assert.deepEqual(streamed.data.translation, translation);
    const streamedPlain = await stream.next((e) => e.event === 'message' && e.data.seq === 4);
    assert.equal('translation' in streamedPlain.data, false);
  } finally {
    stream.close();
  }

  const invalid = [
    [{ text: 'x', translation: 42 }, 400, 'invalid_argument',
     /^translation: must be a string or an object \{text, language, machine\}, got number$/],
    [{ text: 'x', translation: null }, 400, 'invalid_argument', /^translation: must be a string or an object/],
    [{ text: 'x', translation: { language: 'en' } }, 400, 'invalid_argument', /^translation\.text: is required$/],
    [{ text: 'x', translation: { text: 'y', language: 'en', machine: 'yes' } }, 400, 'invalid_argument',
     /^translation\.machine: must be a boolean$/],
    [{ text: 'x', translation: { text: 'y', language: 'English please' } }, 400, 'invalid_argument',
     /^translation\.language: must be a language code/],
    [{ text: 'x', translation: { text: 'y', extra: 1 } }, 400, 'invalid_argument',
     /^translation\.extra: unknown field \(expected text, language, machine\)$/],
    // max_message_bytes is 2000 in these tests: a translation may take 4 times as much.
    [{ text: 'x', translation: { text: 'y'.repeat(8001), language: 'en' } }, 400, 'out_of_range',
     /^translation\.text: 8001 bytes, at most 8000 allowed$/],
    [{ text: 'x', translation: 'y'.repeat(8001) }, 400, 'out_of_range', /^translation: 8001 bytes/],
  ];
  for (const [bad, status, code, message] of invalid) {
    const response = await postFollowUp(server.base, id, created.token, bad);
    const json = await response.json();
    assert.equal(response.status, status, JSON.stringify(bad).slice(0, 100));
    assert.equal(json.error.code, code);
    assert.match(json.error.message, message);
  }
  // Invalid UTF-8 (raw bytes, or a lone surrogate escape) is refused by the JSON parser already:
  // 400, not a 500 from echoing the bytes back in the error message.
  const badUtf8 = [
    Buffer.concat([Buffer.from('{"text": "x", "translation": {"text": "ok '), Buffer.from([0xc3, 0x28]),
                   Buffer.from('", "language": "en"}}')]),
    '{"text": "x", "translation": "ok \\ud800"}',
  ];
  for (const raw of badUtf8) {
    const response = await postFollowUp(server.base, id, created.token, raw);
    assert.equal(response.status, 400);
    const { error } = await response.json();
    assert.equal(error.code, 'invalid_argument');
    assert.match(error.message, /^body is not valid JSON \(byte \d+\).*(ill-formed UTF-8|surrogate)/);
  }
  assert.equal(sqlite(dbPath, `SELECT COUNT(*) FROM messages WHERE conversation_id = '${id}'`), '5', 'nothing stored');

  const conversation = await (await desk(server.base, 'GET', `/v1/desk/conversations/${id}`)).json();
  assert.deepEqual(conversation.messages.map((m) => [m.seq, m.text, m.translation]), [
    [1, '¿Dónde está mi pedido A1234?', { text: 'Where is my order A1234?', language: 'en', machine: true }],
    [2, 'No encuentro una respuesta.', undefined],
    [3, 'Mi correo es [email]', translation],
    [4, 'Gracias', undefined],
    [5, '¿Hola?', 'Hello?'],
  ]);
  assert.deepEqual(JSON.parse(sqlite(dbPath, `SELECT translation FROM messages WHERE conversation_id = '${id}' AND seq = 3`)),
                   translation, 'stored as JSON');
  assert.equal(sqlite(dbPath, `SELECT COUNT(*) FROM messages WHERE conversation_id = '${id}' AND translation IS NULL`), '2');
});

test('a database written by the previous schema (version 1) is migrated and keeps working', async () => {
  const oldDb = path.join(dir, 'schema-v1.db');
  // The schema exactly as the first server created it, with one conversation in it.
  sqlite(oldDb, `
CREATE TABLE conversations (
  id TEXT PRIMARY KEY, shop_id TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE,
  token TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  reason TEXT NOT NULL, customer_locale TEXT NOT NULL, customer_language TEXT NOT NULL DEFAULT '',
  page_url TEXT NOT NULL DEFAULT '', payload TEXT NOT NULL, created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL);
CREATE INDEX conversations_by_status ON conversations (status, created_at);
CREATE TABLE messages (
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL, role TEXT NOT NULL CHECK (role IN ('customer', 'assistant', 'agent')),
  text TEXT NOT NULL, author TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,
  PRIMARY KEY (conversation_id, seq)) WITHOUT ROWID;
INSERT INTO conversations VALUES ('c_oldschema01', 'global-select', 'old-schema-key-1', 'old-token-0123456789',
  'open', 'customer_request', 'es-ES', 'es', '',
  '{"schema":"kefu.escalation/1","transcript":[{"role":"customer","text":"Hola","at":"2026-11-01T09:00:00Z","translation":"Hello"}]}',
  '2026-11-01T09:00:00.000Z', '2026-11-01T09:00:00.000Z');
INSERT INTO messages VALUES ('c_oldschema01', 1, 'customer', 'Hola', '', '2026-11-01T09:00:00Z');
PRAGMA user_version = 1;`);
  assert.equal(sqlite(oldDb, "SELECT COUNT(*) FROM pragma_table_info('messages') WHERE name = 'translation'"), '0');

  const migrated = await startServer(dir, oldDb);
  try {
    assert.equal(sqlite(oldDb, 'PRAGMA user_version'), '2');
    assert.equal(sqlite(oldDb, "SELECT COUNT(*) FROM pragma_table_info('messages') WHERE name = 'translation'"), '1');
    const before = await (await desk(migrated.base, 'GET', '/v1/desk/conversations/c_oldschema01')).json();
    assert.deepEqual(before.messages.map((m) => [m.seq, m.text, m.translation]), [[1, 'Hola', undefined]]);
    assert.equal(before.payload.transcript[0].translation, 'Hello', 'the console falls back to the payload');

    const translation = { text: 'Are you there?', language: 'en', machine: true };
    const followUp = await postFollowUp(migrated.base, 'c_oldschema01', 'old-token-0123456789',
                                        { text: '¿Está ahí?', translation });
    assert.equal(followUp.status, 201);
    assert.deepEqual(await followUp.json(), { seq: 2 });
    const plain = await postFollowUp(migrated.base, 'c_oldschema01', 'old-token-0123456789', { text: '¿Hola?' });
    assert.equal(plain.status, 201);
    const after = await (await desk(migrated.base, 'GET', '/v1/desk/conversations/c_oldschema01')).json();
    assert.deepEqual(after.messages.map((m) => [m.seq, m.text, m.translation]),
                     [[1, 'Hola', undefined], [2, '¿Está ahí?', translation], [3, '¿Hola?', undefined]]);
    const created = await postEscalation(migrated.base, payload(newKey()));
    assert.equal(created.response.status, 201);
  } finally {
    await migrated.stop();
  }
});

test('erase deletes the conversation for good and tells the customer stream', async () => {
  const created = (await postEscalation(server.base, payload(newKey()))).json;
  const id = created.conversation_id;
  const { stream } = await openEvents(server.base, id, created.token, { after: 2 });
  try {
    const erased = await desk(server.base, 'DELETE', `/v1/desk/conversations/${id}`);
    assert.equal(erased.status, 200);
    const status = await stream.next((e) => e.event === 'status');
    assert.deepEqual(status.data, { status: 'erased' });
  } finally {
    stream.close();
  }
  assert.equal((await desk(server.base, 'GET', `/v1/desk/conversations/${id}`)).status, 404);
  assert.equal((await desk(server.base, 'DELETE', `/v1/desk/conversations/${id}`)).status, 404);
  assert.equal((await openEvents(server.base, id, created.token)).response.status, 404);
  assert.equal(sqlite(dbPath, `SELECT COUNT(*) FROM conversations WHERE id = '${id}'`), '0');
  assert.equal(sqlite(dbPath, `SELECT COUNT(*) FROM messages WHERE conversation_id = '${id}'`), '0');
});

test('the desk console is served with a CSP and without inline script or style', async () => {
  const page = await fetch(`${server.base}/desk`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.equal(page.headers.get('content-security-policy'), "default-src 'self'");
  const html = await page.text();
  assert.match(html, /<script type="module" src="\/desk\/desk.js"><\/script>/);
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i, 'no inline style or handlers');

  const js = await fetch(`${server.base}/desk/desk.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  const source = await js.text();
  assert.equal(source, readFileSync(path.join(repoRoot, 'server/desk/desk.js'), 'utf8'));
  assert.doesNotMatch(source, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  assert.match(source, /'machine translation'/, 'translations are labelled as machine-made');
  assert.equal((await fetch(`${server.base}/desk/desk.css`)).status, 200);
  assert.equal((await fetch(`${server.base}/desk/missing.js`)).status, 404);
});

test('requests past the burst are 429 with Retry-After', async () => {
  const limited = await startServer(dir, path.join(dir, 'limited.db'), { rate_limit: { per_minute: 1, burst: 3 } });
  try {
    for (let i = 0; i < 3; i += 1) {
      const { response } = await postEscalation(limited.base, payload(newKey()));
      assert.equal(response.status, 201);
    }
    const { response, json } = await postEscalation(limited.base, payload(newKey()), { origin: SHOP_ORIGIN });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('access-control-allow-origin'), SHOP_ORIGIN);
    assert.match(response.headers.get('access-control-expose-headers'), /Retry-After/);
    assert.equal(json.error.code, 'resource_exhausted');
    assert.ok(Number(response.headers.get('retry-after')) >= 1);
    assert.equal(sqlite(path.join(dir, 'limited.db'), 'SELECT COUNT(*) FROM conversations'), '3');
  } finally {
    await limited.stop();
  }
});

test('a restart keeps every acknowledged conversation', async () => {
  const key = newKey();
  const created = (await postEscalation(server.base, payload(key))).json;
  const id = created.conversation_id;
  await desk(server.base, 'POST', `/v1/desk/conversations/${id}/messages`, { text: 'Te escribo enseguida', author: 'Ana' });

  const started = Date.now();
  const exit = await server.stop();
  assert.equal(exit.code, 0, `clean exit on SIGTERM (stderr: ${server.stderr()})`);
  assert.ok(Date.now() - started < 8000, 'shutdown is quick');

  server = await startServer(dir, dbPath);
  const detail = await desk(server.base, 'GET', `/v1/desk/conversations/${id}`);
  assert.equal(detail.status, 200);
  const conversation = await detail.json();
  assert.deepEqual(conversation.messages.map((m) => m.text),
                   ['¿Dónde está mi pedido A1234?', 'No encuentro una respuesta.', 'Te escribo enseguida']);
  const again = await postEscalation(server.base, payload(key));
  assert.equal(again.response.status, 200);
  assert.equal(again.json.conversation_id, id);
  assert.equal(again.json.token, created.token);
});
