// End-to-end: the demo shop in headless Chromium, the real widget, worker and wasm core, the real
// escalation server and its SQLite file, and the agent console.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, launchBrowser, sql, loadKb, waitFor, openDesk, ALWAYS_OPEN } from './harness.mjs';

const kb = loadKb();
const entry = (id) => {
  const e = kb.entries.find((x) => x.id === id);
  assert.ok(e, `demo KB has no entry ${id}`);
  return e;
};

// The demo KB with business hours that make the outcome independent of when the test runs.
const kbWithHours = (hours) => ({ ...kb, shop: { ...kb.shop, business_hours: hours } });

let env;
let browser;
before(async () => {
  env = await startStack({ kb: kbWithHours(ALWAYS_OPEN) });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await env?.stop();
});

// Opens the shop in a fresh browser context and waits until the widget is ready. Records every
// request the page and its worker make, and every CSP violation and console error.
async function openShop() {
  const context = await browser.newContext();
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const response = await page.goto(env.shopUrl);
  await page.locator('kefu-widget[data-status="ready"]').waitFor({ timeout: 20000 });
  return { context, page, requests, problems, response };
}

const widget = (page, testid) => page.locator(`kefu-widget [data-testid="${testid}"]`);

async function say(page, text) {
  if (await widget(page, 'kefu-panel').isHidden()) await widget(page, 'kefu-launcher').click();
  await widget(page, 'kefu-input').fill(text);
  await widget(page, 'kefu-input').press('Enter');
}

async function lastAssistantText(page, count) {
  const messages = page.locator('kefu-widget [data-testid="kefu-message"][data-role="assistant"]');
  await waitFor(async () => (await messages.count()) >= count, { what: `${count} assistant messages` });
  return messages.nth(count - 1).locator('.text').innerText();
}

test('answers FAQ questions from the knowledge base without a single network request', async () => {
  const { context, page, requests } = await openShop();
  const greetings = await page.locator('kefu-widget [data-testid="kefu-message"][data-role="assistant"]').count();
  requests.length = 0;

  await say(page, 'How long does shipping to Spain take?');
  assert.equal((await lastAssistantText(page, greetings + 1)).trim(), entry('delivery-time-eu').answers.en);

  await say(page, '¿Tengo que pagar aduanas?');
  assert.equal((await lastAssistantText(page, greetings + 2)).trim(), entry('customs-duties').answers.es);

  await say(page, '我需要付关税吗？');
  assert.equal((await lastAssistantText(page, greetings + 3)).trim(), entry('customs-duties').answers.zh);

  assert.deepEqual(requests, [], 'answering must not touch the network');
  await context.close();
});

test('a request for a person is escalated, redacted and stored; the agent reply reaches the widget', async () => {
  const { context, page } = await openShop();
  await say(page, 'My card 4111 1111 1111 1111 was charged twice. Can I talk to a real person? Mail me at jane.doe@example.com');
  const row = await waitFor(() => sql(env.db, 'SELECT id, reason, payload FROM conversations')
    .find((r) => JSON.parse(r.payload).transcript.some((m) => m.text.includes('charged twice'))),
  { what: 'the escalation in SQLite', timeout: 15000 });
  assert.equal(row.reason, 'customer_request');
  const payload = JSON.parse(row.payload);
  const text = payload.transcript.map((m) => m.text).join('\n');
  assert.match(text, /\[card\]/);
  assert.match(text, /\[email\]/);
  assert.doesNotMatch(text, /4111|jane\.doe/);
  assert.equal(payload.shop_id, 'global-select');
  assert.equal(payload.intent.label, 'contact_human_agent');

  // The agent answers from the console.
  const desk = await openDesk(context, env, row.id);
  await desk.locator('#messages').getByText('charged twice', { exact: false }).waitFor();
  const reply = 'Hi, this is Ana <b>from</b> Global Select. I have refunded the second charge.';
  await desk.fill('#reply-text', reply);
  await desk.locator('#reply-form button[type="submit"]').click();

  const agent = page.locator('kefu-widget [data-testid="kefu-message"][data-role="agent"]');
  await agent.first().waitFor({ timeout: 15000 });
  assert.equal(await agent.first().locator('.text').innerText(), reply, 'agent reply shown as text, markup included');
  assert.equal(await page.locator('kefu-widget b').count(), 0, 'markup must not be rendered');
  const stored = sql(env.db, `SELECT role, text, author FROM messages WHERE conversation_id = '${row.id}' AND role = 'agent'`);
  assert.deepEqual(stored, [{ role: 'agent', text: reply, author: 'Ana' }]);
  await context.close();
});

test('an escalation made while the server is down survives a reload and arrives exactly once', async () => {
  const { context, page } = await openShop();
  await env.stopServer();
  await say(page, 'I need to speak to a human agent about order GS-58213 please');
  await widget(page, 'kefu-notice').waitFor({ state: 'visible' });
  const queued = await waitFor(async () => {
    const all = await page.evaluate(() => Object.entries(localStorage));
    return all.find(([k, v]) => /outbox/i.test(k) && v.includes('GS-58213'));
  }, { what: 'the queued escalation in localStorage' });
  const key = JSON.parse(queued[1])[0]?.payload?.idempotency_key ?? queued[1].match(/"idempotency_key":"([^"]+)"/)?.[1];
  assert.ok(key, 'the outbox holds the payload with its idempotency key');

  await page.reload();
  await page.locator('kefu-widget[data-status="ready"]').waitFor({ timeout: 20000 });
  await env.startServer();

  const rows = await waitFor(() => {
    const r = sql(env.db, `SELECT id FROM conversations WHERE idempotency_key = '${key}'`);
    return r.length ? r : null;
  }, { what: 'delivery after restart', timeout: 90000, interval: 500 });
  assert.equal(rows.length, 1);
  await waitFor(async () => !(await page.evaluate(() => Object.entries(localStorage)))
    .some(([k, v]) => /outbox/i.test(k) && v.includes(key)), { what: 'the outbox to empty' });
  // Later loads must not send it again.
  await page.reload();
  await page.locator('kefu-widget[data-status="ready"]').waitFor({ timeout: 20000 });
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(sql(env.db, `SELECT count(*) AS n FROM conversations WHERE idempotency_key = '${key}'`)[0].n, 1);
  await context.close();
});

test('the demo runs under a strict CSP without unsafe-eval, with no violations or errors', async () => {
  const { context, page, problems, response } = await openShop();
  const csp = response.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /'unsafe-eval'|'unsafe-inline'/);
  await say(page, 'What payment methods do you accept?');
  assert.equal((await lastAssistantText(page, 2)).trim(), entry('payment-methods').answers.en);
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('hostile input gets a clear message and loses nothing', async () => {
  const { context, page, problems } = await openShop();
  // A lone surrogate is JavaScript's invalid UTF-8: refused with a clear error, not mangled.
  const error = await page.evaluate(() => window.Kefu('ask', 'hola \uD800 pedido').then(() => null, (e) => ({ name: e.name, code: e.code, message: e.message })));
  assert.equal(error?.code, 'invalid_argument');
  assert.match(error.message, /surrogate/);

  // An oversize message is refused before it reaches the core, and stays in the input.
  const long = 'a'.repeat(5000);
  await say(page, long);
  await widget(page, 'kefu-notice').waitFor({ state: 'visible' });
  assert.equal(await widget(page, 'kefu-input').inputValue(), long);

  // Markup and control characters are shown as text.
  await widget(page, 'kefu-input').fill('<img src=x onerror=alert(1)> \u202Eمرحبا 👋');
  await widget(page, 'kefu-input').press('Enter');
  const mine = page.locator('kefu-widget [data-testid="kefu-message"][data-role="customer"]');
  await mine.first().waitFor();
  assert.equal(await page.locator('kefu-widget img').count(), 0);
  assert.match(await mine.first().locator('.text').innerText(), /<img src=x/);
  assert.deepEqual(problems.filter((p) => !/\[kefu\] InvalidArgumentError/.test(p)), []);
  await context.close();
});
