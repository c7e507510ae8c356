// End-to-end: a shop whose team is never in (no business hours), the customer's optional e-mail
// with consent, keyboard use of the widget, and Kefu('reset').
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, launchBrowser, sql, loadKb, waitFor } from './harness.mjs';

const kb = loadKb();
const CLOSED = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };

let env;
let browser;
before(async () => {
  env = await startStack({ kb: { ...kb, shop: { ...kb.shop, business_hours: CLOSED } } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await env?.stop();
});

async function openShop() {
  const context = await browser.newContext({ locale: 'es-ES' });
  const page = await context.newPage();
  await page.goto(env.shopUrl);
  await page.locator('kefu-widget[data-status="ready"]').waitFor({ timeout: 20000 });
  return { context, page };
}
const widget = (page, testid) => page.locator(`kefu-widget [data-testid="${testid}"]`);

test('the widget is keyboard accessible, says it is automated and always offers a person', async () => {
  const { context, page } = await openShop();
  await widget(page, 'kefu-launcher').focus();
  await page.keyboard.press('Enter');
  await widget(page, 'kefu-panel').waitFor({ state: 'visible' });
  assert.equal(await widget(page, 'kefu-launcher').getAttribute('aria-expanded'), 'true');
  assert.equal(await widget(page, 'kefu-messages').getAttribute('role'), 'log');
  assert.equal(await widget(page, 'kefu-messages').getAttribute('aria-live'), 'polite');
  // Spanish browser locale: the interface speaks Spanish and says it is an automated assistant.
  assert.match(await widget(page, 'kefu-automated').innerText(), /automátic|virtual/i);
  assert.ok(await widget(page, 'kefu-person').isVisible());
  await page.keyboard.press('Escape');
  await widget(page, 'kefu-panel').waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'KEFU-WIDGET');
  await context.close();
});

test('outside business hours the customer is told and can leave an e-mail with consent', async () => {
  const { context, page } = await openShop();
  await widget(page, 'kefu-launcher').click();
  await widget(page, 'kefu-input').fill('Quiero hablar con una persona, mi pedido GS-58213 no llega');
  await widget(page, 'kefu-input').press('Enter');
  await widget(page, 'kefu-handoff').waitFor({ state: 'visible' });
  const hours = await widget(page, 'kefu-hours').innerText();
  assert.ok(hours.trim().length > 0, 'the form says when a person will answer');
  // The sentence follows the interface language while the form is open.
  await page.evaluate(() => window.Kefu('setLocale', 'de'));
  await waitFor(async () => (await widget(page, 'kefu-hours').innerText()) !== hours, { what: 'the hours sentence in German' });
  await page.evaluate(() => window.Kefu('setLocale', 'es-ES'));
  await waitFor(async () => (await widget(page, 'kefu-hours').innerText()) === hours, { what: 'the hours sentence back in Spanish' });

  // An e-mail without consent is refused and nothing is sent.
  await widget(page, 'kefu-email').fill('cliente@example.com');
  await widget(page, 'kefu-handoff-send').click();
  assert.ok((await widget(page, 'kefu-handoff-error').innerText()).trim().length > 0);
  assert.equal(sql(env.db, 'SELECT count(*) AS n FROM conversations')[0].n, 0);

  await widget(page, 'kefu-consent').check();
  await widget(page, 'kefu-handoff-send').click();
  const row = await waitFor(() => sql(env.db, 'SELECT payload FROM conversations')[0], { what: 'the escalation' });
  const payload = JSON.parse(row.payload);
  assert.deepEqual(payload.customer.contact, { email: 'cliente@example.com', consent: true });
  assert.equal(payload.customer.locale, 'es-ES');
  assert.equal(payload.reason, 'customer_request');
  assert.ok(payload.transcript.some((m) => m.text.includes('GS-58213')));

  // Kefu('reset') erases everything the widget kept in this browser.
  assert.ok(await page.evaluate(() => localStorage.length) > 0);
  await page.evaluate(() => window.Kefu('reset'));
  await waitFor(async () => (await page.evaluate(() => localStorage.length)) === 0, { what: 'storage to be empty' });
  await page.reload();
  await page.locator('kefu-widget[data-status="ready"]').waitFor({ timeout: 20000 });
  await widget(page, 'kefu-launcher').click();
  assert.equal(await page.locator('kefu-widget [data-testid="kefu-message"][data-role="customer"]').count(), 0);
  await context.close();
});
