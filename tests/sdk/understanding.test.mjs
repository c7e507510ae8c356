// The SDK's rules on top of the core's understanding (dist/lib/understanding.js) and the model
// manifest checks (dist/lib/models.js), without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lib } from './helpers.mjs';

const u = await lib('understanding');
const models = await lib('models');

const analysis = (fields) => u.toUnderstanding({ entities: [], ...fields });

test('toUnderstanding converts the core JSON to camelCase and keeps absent fields null', () => {
  assert.equal(u.toUnderstanding(undefined), null);
  const full = u.toUnderstanding({
    lang: 'es', lang_confidence: 0.97, intent: 'track_order', confidence: 0.8,
    top: [{ intent: 'track_order', score: 0.8 }], sentiment: 'neutral', sentiment_confidence: 0.9,
    urgency: 'normal', urgency_confidence: 0.7,
    entities: [{ type: 'order_number', text: '#A1234', value: 'A1234', start: 3, end: 9 }],
  });
  assert.deepEqual(full, {
    lang: 'es', langConfidence: 0.97, intent: 'track_order', confidence: 0.8, top: [{ intent: 'track_order', score: 0.8 }],
    sentiment: 'neutral', sentimentConfidence: 0.9, urgency: 'normal', urgencyConfidence: 0.7,
    entities: [{ type: 'order_number', text: '#A1234', value: 'A1234', start: 3, end: 9 }],
  });
  const langOnly = analysis({ lang: 'de', lang_confidence: 0.99 });
  assert.equal(langOnly.intent, null);
  assert.deepEqual(langOnly.top, []);
});

test('countWords counts words in spaced and unspaced scripts', () => {
  assert.equal(u.countWords('¿Dónde está mi pedido?'), 4);
  assert.equal(u.countWords('ok'), 1);
  assert.ok(u.countWords('我的订单在哪里') >= 3, 'Chinese is segmented, not counted as one word');
  assert.equal(u.countWords('!!! ???'), 0);
});

test('the interface follows a sure language id on a real sentence only', () => {
  const es = analysis({ lang: 'es', lang_confidence: 0.95 });
  assert.equal(u.languageToSwitchTo(es, '¿Dónde está mi pedido?', 'en'), 'es');
  assert.equal(u.languageToSwitchTo(es, '¿Dónde está mi pedido?', 'es'), null, 'already Spanish');
  assert.equal(u.languageToSwitchTo(es, 'gracias amigo', 'en'), null, 'two words decide nothing');
  assert.equal(u.languageToSwitchTo(analysis({ lang: 'es', lang_confidence: 0.89 }), '¿Dónde está mi pedido?', 'en'), null, 'below 0.9');
  assert.equal(u.languageToSwitchTo(analysis({ lang: 'ru', lang_confidence: 0.99 }), 'где мой заказ сейчас', 'en'), null, 'not one of the ten');
  assert.equal(u.languageToSwitchTo(analysis({}), 'where is my order', 'de'), null, 'no language model');
  assert.equal(u.languageToSwitchTo(analysis({ lang: 'zh', lang_confidence: 1 }), '我的订单在哪里', 'en'), 'zh');
});

test('orderLookupRequest: order intents at >= 0.5 with an order number only', () => {
  const order = { type: 'order_number', text: '#A1234', value: 'A1234', start: 18, end: 24 };
  const text = 'Where is my order #A1234?';
  assert.deepEqual(u.orderLookupRequest(analysis({ lang: 'en', intent: 'track_order', confidence: 0.99, entities: [order] }), text, 'de'),
    { orderNumber: 'A1234', text, language: 'en', intent: 'track_order' });
  assert.equal(u.orderLookupRequest(analysis({ intent: 'delivery_problem', confidence: 0.5, entities: [order] }), text, 'de').language, 'de',
    'falls back to the interface language');
  assert.equal(u.orderLookupRequest(analysis({ intent: 'track_order', confidence: 0.49, entities: [order] }), text, 'en'), null);
  assert.equal(u.orderLookupRequest(analysis({ intent: 'return_item', confidence: 0.99, entities: [order] }), text, 'en'), null);
  assert.equal(u.orderLookupRequest(analysis({ intent: 'track_order', confidence: 0.99,
    entities: [{ type: 'tracking_number', text: '1Z999', value: '1Z999', start: 0, end: 5 }] }), text, 'en'), null);
  assert.equal(u.orderLookupRequest(null, text, 'en'), null);
  assert.equal(u.ORDER_LOOKUP_TIMEOUT_MS, 5000);
});

test('parseManifest validates every field and skips unknown models', () => {
  const entry = { name: 'nlu', file: 'nlu/kefu-nlu.bin', bytes: 10, sha256: 'a'.repeat(64), version: '1.0.0' };
  assert.deepEqual(models.parseManifest(JSON.stringify({ models: [entry, { name: 'translator', file: 'x.onnx' }] }), 'm.json'), [entry]);
  const bad = (patch, pattern) =>
    assert.throws(() => models.parseManifest(JSON.stringify({ models: [{ ...entry, ...patch }] }), 'm.json'),
      (error) => error.code === 'invalid_argument' && pattern.test(error.message));
  bad({ file: '../kefu-nlu.bin' }, /^m\.json: models\[0\]\.file: .* must be a relative path/);
  bad({ file: 'https://evil.example/x.bin' }, /models\[0\]\.file/);
  bad({ file: '/etc/passwd' }, /models\[0\]\.file/);
  bad({ sha256: 'ABC' }, /models\[0\]\.sha256: must be 64 lower-case hex digits/);
  bad({ bytes: -1 }, /models\[0\]\.bytes/);
  assert.throws(() => models.parseManifest('{', 'm.json'), /m\.json: not valid JSON/);
  assert.throws(() => models.parseManifest('{}', 'm.json'), /"models" array/);
  assert.throws(() => models.parseManifest(JSON.stringify({ models: [entry, entry] }), 'm.json'), /listed twice/);
});

test('verifyModel accepts the right bytes and names both hashes otherwise', async () => {
  const bytes = new TextEncoder().encode('kefu model bytes');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  assert.equal(await models.sha256Hex(bytes), sha256);
  const entry = { name: 'langid', file: 'langid/kefu-langid.bin', bytes: bytes.length, sha256, version: '1' };
  await models.verifyModel(entry, bytes);
  const flipped = bytes.slice();
  flipped[0] ^= 1;
  await assert.rejects(models.verifyModel(entry, flipped), (error) => {
    assert.equal(error.code, 'data_loss');
    assert.match(error.message, /^langid\/kefu-langid\.bin: sha256 mismatch: the file has [0-9a-f]{64}/);
    assert.ok(error.message.includes(sha256));
    assert.ok(error.message.includes(createHash('sha256').update(flipped).digest('hex')));
    return true;
  });
});
