// End-to-end: translation in the browser. A German customer in the English demo shop: the worker
// downloads ONNX Runtime Web and the en-de model only when the first German message arrives
// (progress bar), the answer comes back in German marked as machine-translated with "show
// original"; the escalation stores the German original with its English translation, the agent
// console shows both, and the agent's English reply appears in German. A corrupted model file
// leaves the chat working untranslated with a notice. No request ever leaves the page's host.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, launchBrowser, sql, loadKb, waitFor, openDesk, ALWAYS_OPEN } from './harness.mjs';

const kb = loadKb();

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

async function openShop({ route = null } = {}) {
  const context = await browser.newContext({ locale: 'de-DE' });
  if (route) await route(context);
  const requests = [];
  context.on('request', (r) => requests.push({ url: r.url(), at: Date.now() }));
  const page = await context.newPage();
  const violations = [];
  page.on('console', (m) => { if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text()); });
  await page.addInitScript(() => {
    window.__kefu = { errors: [], progress: [], unavailable: [], translated: [], answers: [] };
    window.Kefu = window.Kefu || function () { (window.Kefu.q = window.Kefu.q || []).push(arguments); };
    const log = window.__kefu;
    window.Kefu('on', 'error', (e) => log.errors.push({ name: e.name, code: e.code, message: e.message }));
    window.Kefu('on', 'progress', (p) => log.progress.push({ file: p.file, loaded: p.loaded, total: p.total }));
    window.Kefu('on', 'translation-unavailable', (u) => log.unavailable.push({ error: u.error?.message ?? String(u.error), from: u.from, to: u.to }));
    window.Kefu('on', 'translated', (t) => log.translated.push({ purpose: t.purpose, text: t.text }));
    window.Kefu('on', 'answer', (a) => log.answers.push({ decision: a.decision, reason: a.reason, entryId: a.entryId }));
  });
  await page.goto(env.shopUrl);
  await page.locator('kefu-widget[data-status="ready"]').waitFor({ timeout: 20000 });
  return { context, page, requests, violations };
}

const widget = (page, testid) => page.locator(`kefu-widget [data-testid="${testid}"]`);
const kefuLog = (page) => page.evaluate(() => window.__kefu);

async function say(page, text) {
  if (await widget(page, 'kefu-panel').isHidden()) await widget(page, 'kefu-launcher').click();
  await widget(page, 'kefu-input').fill(text);
  await widget(page, 'kefu-input').press('Enter');
}

function assistantMessages(page) {
  return page.locator('kefu-widget [data-testid="kefu-message"][data-role="assistant"]');
}

test('German customer, English shop and agent: translated both ways, escalated with both texts', async () => {
  const { context, page, requests, violations } = await openShop();
  const readyAt = Date.now();
  // Nothing of the translation stack is fetched before it is needed.
  assert.equal(requests.filter((r) => /\/mt\/|\/ort\//.test(r.url)).length, 0, 'no model or runtime download at start');

  // The progress bar is shown while the model downloads; record that it appeared.
  await page.evaluate(() => {
    const root = document.querySelector('kefu-widget').shadowRoot;
    const bar = root.querySelector('[data-testid="kefu-translation-progress"]');
    window.__kefu.barSeen = false;
    new MutationObserver(() => { if (!bar.hidden) window.__kefu.barSeen = true; })
      .observe(bar, { attributes: true });
  });
  // (A question this model translates well enough to find the entry by its words; with a weaker
  // translation the core asks "did you mean…", which has no `answer` event.)
  await say(page, 'Wie lange dauert die Lieferung nach Europa?');
  // The first answer waits for the download, the sessions and two translations.
  await waitFor(async () => (await kefuLog(page)).answers.length >= 1, { what: 'the answer event', timeout: 120000 });
  const log = await kefuLog(page);
  assert.ok(log.barSeen, 'the progress bar was shown');
  const mtProgress = log.progress.filter((p) => p.file === 'translation');
  assert.ok(mtProgress.length >= 2, 'translation download progress events');
  assert.equal(mtProgress.at(-1).loaded, mtProgress.at(-1).total, 'progress reaches 100%');
  assert.equal(log.unavailable.length, 0, `translation available: ${JSON.stringify(log.unavailable)}`);
  assert.deepEqual(log.answers.map((a) => [a.decision, a.entryId]), [['answer', 'delivery-time-eu']],
    `the translated question found the delivery-time entry (translations: ${JSON.stringify(log.translated)})`);
  const first = assistantMessages(page).nth(1);  // after the greeting
  await first.locator('[data-testid="kefu-mt-marker"]').waitFor({ timeout: 30000 });

  // The answer is shown in German, marked; "show original" swaps to the KB's English text.
  const english = kb.entries.find((e) => e.id === 'delivery-time-eu').answers.en;
  const shown = (await first.locator('.text').innerText()).trim();
  assert.notEqual(shown, english.trim(), 'the answer was translated');
  assert.ok(shown.length > 10);
  const toggle = first.locator('[data-testid="kefu-show-original"]');
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  assert.equal((await first.locator('.text').innerText()).trim(), english.trim());
  await toggle.click();
  assert.equal((await first.locator('.text').innerText()).trim(), shown);

  // A question the translation leaves ambiguous: "did you mean" offers the KB's questions in
  // German (the English wording on hover); choosing one asks the KB's own question and answers it.
  await say(page, 'Wie lange dauert der Versand nach Deutschland?');
  const clarify = page.locator('kefu-widget [data-testid="kefu-message"][data-kind="clarify"]').last();
  await clarify.waitFor({ timeout: 60000 });
  const buttons = clarify.locator('[data-testid="kefu-suggestion"]');
  assert.ok(await buttons.count() >= 1, 'suggestions offered');
  const suggestion = (await buttons.first().innerText()).trim();
  const title = await buttons.first().getAttribute('title');
  const originalQuestion = title.replace(/^[^:]*: /, '');
  const suggestedEntry = kb.entries.find((e) => Object.values(e.questions).flat().includes(originalQuestion));
  assert.ok(suggestedEntry, `the hover names a KB question: ${title}`);
  assert.notEqual(suggestion, originalQuestion, 'the suggestion is shown translated');
  assert.ok((await kefuLog(page)).translated.some((t) => t.purpose === 'suggestions'), 'a suggestions translation');
  const messageTranslations = async () => (await kefuLog(page)).translated.filter((t) => t.purpose === 'message').length;
  const before = await messageTranslations();
  await buttons.first().click();
  await waitFor(async () => (await kefuLog(page)).answers.length >= 2, { what: 'the answer to the suggestion', timeout: 60000 });
  assert.deepEqual((await kefuLog(page)).answers.at(-1), { decision: 'answer', reason: 'matched', entryId: suggestedEntry.id });
  assert.equal(await messageTranslations(), before, 'the chosen suggestion was not translated back');

  // A request for a person: the escalation carries the German original and its English text.
  const human = 'Ich möchte bitte mit einem Mitarbeiter sprechen.';
  await say(page, human);
  const row = await waitFor(() => sql(env.db, 'SELECT id, payload FROM conversations')
    .find((r) => JSON.parse(r.payload).transcript.some((m) => m.text === human)),
  { what: 'the escalation in SQLite', timeout: 60000 });
  const payload = JSON.parse(row.payload);
  const line = payload.transcript.find((m) => m.text === human);
  assert.equal(line.translation.language, 'en');
  assert.ok(line.translation.text.length > 5 && line.translation.text !== human, 'English translation stored');
  assert.equal(payload.customer.detected_language, 'de');

  // The console shows both; the agent's English reply appears in German in the widget.
  const desk = await openDesk(context, env, row.id);
  await desk.locator('#messages').getByText(human, { exact: false }).first().waitFor();
  await desk.locator('#messages').getByText(line.translation.text, { exact: false }).first().waitFor();
  const reply = 'Your parcel left our warehouse today. You will receive the tracking number by e-mail.';
  await desk.fill('#reply-text', reply);
  await desk.locator('#reply-form button[type="submit"]').click();
  const agent = page.locator('kefu-widget [data-testid="kefu-message"][data-role="agent"]').first();
  await agent.waitFor({ timeout: 60000 });
  await agent.locator('[data-testid="kefu-mt-marker"]').waitFor({ timeout: 60000 });
  const agentShown = (await agent.locator('.text').innerText()).trim();
  assert.notEqual(agentShown, reply, 'the agent reply was translated');
  await agent.locator('[data-testid="kefu-show-original"]').click();
  assert.equal((await agent.locator('.text').innerText()).trim(), reply);

  // Each model file was fetched once, verified, and nothing went to another host.
  const host = new URL(env.shopUrl).hostname;
  for (const r of requests) assert.equal(new URL(r.url).hostname, host, `request to another host: ${r.url}`);
  const mt = requests.filter((r) => /\/mt\/en-de\//.test(r.url)).map((r) => r.url.replace(/^.*\/mt\//, 'mt/'));
  assert.deepEqual([...mt].sort(), [...new Set(mt)].sort(), 'each model file fetched once');
  assert.ok(mt.some((u) => u.endsWith('weights.q8')) && mt.some((u) => u.endsWith('decoder.onnx')));
  assert.ok(requests.filter((r) => /\/mt\/|\/ort\//.test(r.url)).every((r) => r.at >= readyAt), 'downloaded lazily');
  assert.deepEqual(violations, [], 'no CSP violations');
  assert.deepEqual((await kefuLog(page)).errors, []);
  await context.close();
});

test('a corrupted model file: sha256 mismatch, the chat goes on untranslated with a notice', async () => {
  const { context, page } = await openShop({
    route: (ctx) => ctx.route('**/mt/en-de/decoder.onnx', async (route) => {
      const response = await route.fetch();
      const body = Buffer.from(await response.body());
      body[body.length >> 1] ^= 0xff;
      await route.fulfill({ response, body });
    }),
  });
  const greeting = await assistantMessages(page).count();
  await say(page, 'Wie lange dauert die Lieferung nach Europa?');
  await widget(page, 'kefu-translation-notice').waitFor({ state: 'visible', timeout: 90000 });
  const log = await kefuLog(page);
  assert.equal(log.unavailable.length, 1);
  assert.match(log.unavailable[0].error, /sha256/);
  assert.ok(log.errors.some((e) => /sha256/.test(e.message)), 'an error event names the hash mismatch');
  // Still answering: the core replies to the German message as it is (its intent model reads
  // German), without a machine-translation marker.
  await waitFor(async () => (await assistantMessages(page).count()) > greeting, { what: 'a reply', timeout: 30000 });
  assert.equal((await kefuLog(page)).translated.length, 0);
  assert.equal(await widget(page, 'kefu-mt-marker').count(), 0);
  const notice = await widget(page, 'kefu-translation-notice').innerText();
  assert.ok(notice.trim().length > 10, 'the notice tells the customer what still works');
  // The widget keeps working: a second message still gets a reply.
  const before = await assistantMessages(page).count();
  await say(page, 'Wo ist meine Bestellung?');
  await waitFor(async () => (await assistantMessages(page).count()) > before, { what: 'a second reply shown', timeout: 30000 });
  await context.close();
});
