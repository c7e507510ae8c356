// End-to-end: the understanding models in the browser. The demo shop in headless Chromium loads
// models/manifest.json and both model files in the worker, verifies their sha256 and hands them to
// the wasm core; language, intent, sentiment and urgency then shape replies and escalations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startStack, launchBrowser, sql, loadKb, waitFor, root, ALWAYS_OPEN } from './harness.mjs';

const kb = loadKb();
const entry = (id) => {
  const e = kb.entries.find((x) => x.id === id);
  assert.ok(e, `demo KB has no entry ${id}`);
  return e;
};
const manifest = JSON.parse(readFileSync(path.join(root, 'sdk-js/dist/models/manifest.json'), 'utf8'));
const model = (name) => manifest.models.find((m) => m.name === name);

let env;
let browser;
before(async () => {
  env = await startStack({ kb: { ...kb, shop: { ...kb.shop, business_hours: ALWAYS_OPEN } } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await env?.stop();
});

// Opens the shop in a fresh context. Before any page script runs, the standard command-queue stub
// subscribes to the events the tests check, so even those emitted while loading are recorded.
// Every request of the page and its worker is recorded with its start time.
async function openShop({ locale = 'en-US', route = null } = {}) {
  const context = await browser.newContext({ locale });
  if (route) await route(context);
  const requests = [];
  context.on('request', (r) => requests.push(r));
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__kefu = { errors: [], answers: [], locales: [], escalated: [], ready: null, readyAt: null };
    window.Kefu = window.Kefu || function () { (window.Kefu.q = window.Kefu.q || []).push(arguments); };
    const log = window.__kefu;
    window.Kefu('on', 'error', (e) => log.errors.push({ name: e.name, code: e.code, message: e.message }));
    window.Kefu('on', 'answer', (a) => log.answers.push({ decision: a.decision, reason: a.reason, source: a.source, entryId: a.entryId, understanding: a.understanding }));
    window.Kefu('on', 'locale', (l) => log.locales.push(l));
    window.Kefu('on', 'escalated', (e) => log.escalated.push(e));
    window.Kefu('on', 'ready', (r) => {
      log.readyAt = Date.now();
      log.ready = { status: r.status, models: r.models };
    });
  });
  await page.goto(env.shopUrl);
  await page.locator('kefu-widget[data-status="ready"]').waitFor({ timeout: 20000 });
  return { context, page, requests };
}

const widget = (page, testid) => page.locator(`kefu-widget [data-testid="${testid}"]`);
const kefuLog = (page) => page.evaluate(() => window.__kefu);

async function say(page, text) {
  if (await widget(page, 'kefu-panel').isHidden()) await widget(page, 'kefu-launcher').click();
  await widget(page, 'kefu-input').fill(text);
  await widget(page, 'kefu-input').press('Enter');
}

async function assistantText(page, count) {
  const messages = page.locator('kefu-widget [data-testid="kefu-message"][data-role="assistant"]');
  await waitFor(async () => (await messages.count()) >= count, { what: `${count} assistant messages` });
  return (await messages.nth(count - 1).locator('.text').innerText()).trim();
}

test('a Spanish customer asking about customs gets the Spanish KB answer, understood as Spanish', async () => {
  const { context, page } = await openShop({ locale: 'es-ES' });
  assert.equal(await page.locator('kefu-widget').getAttribute('lang'), 'es');
  await say(page, '¿Tengo que pagar aduanas si pido desde México?');
  assert.equal(await assistantText(page, 2), entry('customs-duties').answers.es);
  const [answer] = (await kefuLog(page)).answers;
  assert.equal(answer.entryId, 'customs-duties');
  assert.equal(answer.source, 'kb');
  assert.equal(answer.understanding.lang, 'es');
  assert.ok(answer.understanding.langConfidence >= 0.9, `lang confidence ${answer.understanding.langConfidence}`);
  assert.equal(answer.understanding.intent, 'customs_duties');
  assert.deepEqual(answer.understanding.entities.map((e) => [e.type, e.value]), [['country', 'MX']]);
  await context.close();
});

test('the interface follows the language the customer writes in, unless the page set it', async () => {
  const { context, page } = await openShop({ locale: 'en-US' });
  await widget(page, 'kefu-launcher').click();
  assert.equal(await widget(page, 'kefu-person').innerText(), 'Talk to a person');
  await say(page, 'ok');
  await assistantText(page, 2);
  assert.deepEqual((await kefuLog(page)).locales, [], 'one word does not switch the language');

  await say(page, '¿Cuánto tarda el envío a España?');
  await waitFor(async () => (await kefuLog(page)).locales.length === 1, { what: 'the locale event' });
  assert.deepEqual((await kefuLog(page)).locales, [{ locale: 'es', language: 'es', source: 'detected' }]);
  assert.equal(await page.locator('kefu-widget').getAttribute('lang'), 'es');
  assert.equal(await widget(page, 'kefu-person').innerText(), 'Hablar con una persona');

  // The page chose German: the customer's French no longer switches the interface.
  await page.evaluate(() => window.Kefu('setLocale', 'de'));
  await say(page, 'Combien de temps prend la livraison en Espagne ?');
  await assistantText(page, 4);
  const locales = (await kefuLog(page)).locales;
  assert.deepEqual(locales.at(-1), { locale: 'de', language: 'de', source: 'setLocale' });
  assert.equal(await page.locator('kefu-widget').getAttribute('lang'), 'de');
  await context.close();
});

test('an angry customer with an order number is handed over at once, with what the models understood', async () => {
  const { context, page } = await openShop();
  const message = 'THIS IS THE THIRD TIME I WRITE!!! Order GS-58213 never arrived and nobody answers. ' +
    'Call me at +34 612 345 678, I want my money back NOW';
  await say(page, message);
  const row = await waitFor(() => sql(env.db, 'SELECT id, reason, payload FROM conversations')
    .find((r) => JSON.parse(r.payload).transcript.some((m) => m.text.includes('THIRD TIME'))),
  { what: 'the escalation in SQLite', timeout: 15000 });
  assert.ok(['negative_sentiment', 'urgent'].includes(row.reason), `reason ${row.reason}`);
  const payload = JSON.parse(row.payload);
  assert.equal(payload.reason, row.reason);
  assert.equal(payload.sentiment.label, 'negative');
  assert.ok(payload.sentiment.confidence >= 0.9, `sentiment confidence ${payload.sentiment.confidence}`);
  assert.ok(['low', 'normal', 'high', 'urgent'].includes(payload.urgency.label), JSON.stringify(payload.urgency));
  assert.equal(typeof payload.intent.label, 'string');
  assert.ok(payload.intent.top.length >= 1);
  assert.equal(payload.customer.detected_language, 'en');
  const text = payload.transcript.map((m) => m.text).join('\n');
  assert.match(text, /\[phone\]/);
  assert.doesNotMatch(text, /612 345 678/);
  assert.match(text, /GS-58213/, 'the order number is kept for the agent');
  // No person was asked for and no button pressed: the core's reason went with the hand-over.
  assert.equal(await page.locator('kefu-widget [data-testid="kefu-suggestion"]').count(), 0);
  await waitFor(async () => (await kefuLog(page)).escalated.length === 1, { what: 'the escalated event' });
  assert.equal((await kefuLog(page)).escalated[0].reason, row.reason);
  await context.close();
});

test('out of scope: the assistant says what it can help with and offers a person', async () => {
  const { context, page } = await openShop();
  await say(page, 'What is the weather tomorrow?');
  assert.match(await assistantText(page, 2), /^I can only help with questions about this shop/);
  const offer = widget(page, 'kefu-offer-person');
  assert.equal(await offer.count(), 1);
  assert.equal(await offer.innerText(), 'Talk to a person');
  await offer.click();
  const row = await waitFor(() => sql(env.db, 'SELECT reason, payload FROM conversations')
    .find((r) => JSON.parse(r.payload).transcript.some((m) => m.text.includes('weather tomorrow'))),
  { what: 'the escalation in SQLite', timeout: 15000 });
  assert.equal(row.reason, 'customer_request');
  await context.close();
});

// The same wasm core and model files the page loads, run here in Node, decide which probe
// message the models find ambiguous; the test then checks that the widget shows exactly that.
async function coreInNode(kbJson) {
  const dist = path.join(root, 'sdk-js/dist');
  const { default: createKefuCore } = await import(pathToFileURL(path.join(dist, 'kefu-core.mjs')).href);
  const core = await createKefuCore({ wasmBinary: readFileSync(path.join(dist, 'kefu-core.wasm')) });
  const a = new core.Assistant();
  for (const [load, name] of [['loadLanguageModel', 'langid'], ['loadIntentModel', 'nlu']]) {
    assert.ok(a[load](readFileSync(path.join(dist, 'models', model(name).file))).ok);
  }
  assert.ok(a.loadKnowledgeBase(JSON.stringify(kbJson)).ok);
  return a;
}

test('between two likely intents the assistant asks which one, offering the best entry of each', async () => {
  const core = await coreInNode(kb);
  const probes = ['question about my order', 'I have a question about my package',
    'hola, my order #A1234 no llega', 'something about my purchase', 'my account and my order'];
  const probe = probes.map((text) => {
    core.resetConversation();
    return { text, reply: core.ask(text, JSON.stringify({ locale: 'en-US' })).value };
  }).find((p) => p.reply.reason === 'ambiguous_intent');
  assert.ok(probe, 'at least one probe must be ambiguous between two intents for the models');
  const [first, second] = probe.reply.understanding.top;
  assert.deepEqual(probe.reply.candidates.map((c) => c.intent), [first.intent, second.intent]);

  const { context, page } = await openShop();
  await say(page, probe.text);
  await assistantText(page, 2);
  const questions = await page.locator('kefu-widget [data-testid="kefu-suggestion"]').allInnerTexts();
  assert.deepEqual(questions, probe.reply.candidates.map((c) => c.question));
  await context.close();
});

test('the models are fetched and verified before ready, and nothing is fetched after', async () => {
  const { context, page, requests } = await openShop();
  const log = await kefuLog(page);
  assert.equal(log.ready.status, 'ready');
  assert.deepEqual(log.ready.models.map((m) => [m.name, m.sha256]).sort(),
    [['langid', model('langid').sha256], ['nlu', model('nlu').sha256]]);
  assert.deepEqual(log.errors, []);

  await say(page, 'What payment methods do you accept?');
  assert.equal(await assistantText(page, 2), entry('payment-methods').answers.en);
  await say(page, '我需要付关税吗？');
  assert.equal(await assistantText(page, 3), entry('customs-duties').answers.zh);
  await new Promise((r) => setTimeout(r, 1000));

  const started = requests.map((r) => ({ url: new URL(r.url()).pathname, at: r.timing().startTime }));
  const modelPaths = ['/kefu/models/manifest.json', `/kefu/models/${model('langid').file}`, `/kefu/models/${model('nlu').file}`];
  for (const url of [...modelPaths, '/kefu/kefu-core.wasm']) {
    const hits = started.filter((r) => r.url === url);
    assert.equal(hits.length, 1, `${url} fetched once (requests: ${started.map((r) => r.url).join(', ')})`);
    assert.ok(hits[0].at <= log.readyAt, `${url} before ready`);
  }
  assert.deepEqual(started.filter((r) => r.at > log.readyAt).map((r) => r.url), [], 'no request after ready');
  await context.close();
});

test('a corrupted model is refused: the widget is still ready, an error names the sha256 mismatch, FAQ answers work', async () => {
  const corrupted = readFileSync(path.join(root, 'sdk-js/dist/models', model('nlu').file));
  corrupted[corrupted.length >> 1] ^= 0x20;
  const { context, page } = await openShop({
    route: (ctx) => ctx.route('**/models/nlu/kefu-nlu.bin', (route) =>
      route.fulfill({ status: 200, contentType: 'application/octet-stream', body: corrupted })),
  });
  const log = await kefuLog(page);
  assert.equal(log.ready.status, 'ready');
  assert.deepEqual(log.ready.models.map((m) => m.name), ['langid'], 'only the intact model is loaded');
  assert.equal(log.errors.length, 1, JSON.stringify(log.errors));
  const [error] = log.errors;
  assert.equal(error.name, 'DataLossError');
  assert.equal(error.code, 'data_loss');
  assert.match(error.message, /kefu-nlu\.bin: sha256 mismatch/);
  assert.ok(error.message.includes(model('nlu').sha256), error.message);
  assert.equal(await widget(page, 'kefu-notice').isVisible(), false, 'the customer is not bothered');

  await say(page, 'What payment methods do you accept?');
  assert.equal(await assistantText(page, 2), entry('payment-methods').answers.en);
  const [answer] = (await kefuLog(page)).answers;
  assert.equal(answer.understanding.lang, 'en', 'language id still works');
  assert.equal(answer.understanding.intent, null, 'no intent without the intent model');
  await context.close();
});

test("the shop's orderLookup hook answers order questions; a failing hook falls back to the KB answer", async () => {
  const { context, page } = await openShop();
  await page.evaluate(() => window.Kefu('on', 'orderLookup', ({ orderNumber }) => 'Order ' + orderNumber + ' left our warehouse today.'));
  await say(page, 'Where is my order #A1234?');
  assert.equal(await assistantText(page, 2), 'Order A1234 left our warehouse today.');
  let log = await kefuLog(page);
  assert.equal(log.answers[0].source, 'orderLookup');
  assert.equal(log.answers[0].reason, 'order_lookup');

  // Not about an order number: the hook is not asked.
  await say(page, 'What payment methods do you accept?');
  assert.equal(await assistantText(page, 3), entry('payment-methods').answers.en);

  await page.evaluate(() => window.Kefu('on', 'orderLookup', async ({ orderNumber }) => {
    window.__kefu.lookedUp = orderNumber;
    throw new Error('order service down');
  }));
  await say(page, 'Where is my order #B5678?');
  assert.equal(await assistantText(page, 4), entry('track-order').answers.en);
  log = await kefuLog(page);
  assert.equal(log.lookedUp, 'B5678');
  assert.equal(log.answers.at(-1).source, 'kb');
  assert.equal(log.errors.length, 1);
  assert.match(log.errors[0].message, /orderLookup: the handler failed: order service down/);

  // A hook that never answers: after 5 s the KB answer is shown and an error says why.
  await page.evaluate(() => window.Kefu('on', 'orderLookup', () => new Promise(() => {})));
  const asked = Date.now();
  await say(page, 'Where is my order #C9012?');
  assert.equal(await assistantText(page, 5), entry('track-order').answers.en);
  assert.ok(Date.now() - asked >= 4900, `answered after ${Date.now() - asked} ms`);
  log = await kefuLog(page);
  assert.equal(log.errors.length, 2);
  assert.match(log.errors[1].message, /orderLookup: the handler gave no answer within 5 s/);
  await context.close();
});
