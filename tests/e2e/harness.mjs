// Shared set-up for the end-to-end tests: the real escalation server (its own SQLite file), the
// real demo shop server, and headless Chromium driven by playwright-core. Every process listens
// on 127.0.0.1 only.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '../../sdk-js/node_modules/playwright-core/index.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const serverBinary = path.join(root, 'build/native/server/kefu-server');
export const deskToken = 'e2e-desk-token-123456';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Starts a child process and resolves once a line of its output matches `ready`.
function startProcess(cmd, args, ready, name) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${log}`)), 15000);
    const onData = (chunk) => {
      log += chunk;
      if (ready.test(log)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${log}`));
    });
  });
}

export async function stopProcess(child) {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(killer);
}

// The whole stack on free ports. `env.startServer()` can be called again after `stopServer()`;
// the same SQLite file is reused, as after a real restart. `kb` (an object) replaces the demo's
// knowledge base, e.g. to fix its business hours.
export async function startStack({ kb } = {}) {
  if (!existsSync(serverBinary)) throw new Error(`missing ${serverBinary}: run ./scripts/build.sh`);
  const dir = mkdtempSync(path.join(tmpdir(), 'kefu-e2e-'));
  const db = path.join(dir, 'kefu.db');
  const serverPort = await freePort();
  const shopPort = await freePort();
  const serverUrl = `http://127.0.0.1:${serverPort}`;
  const shopUrl = `http://127.0.0.1:${shopPort}`;
  const env = {
    dir, db, serverUrl, shopUrl, server: null, shop: null,
    async startServer() {
      env.server = await startProcess(serverBinary, [
        '--port', String(serverPort), '--listen', '127.0.0.1', '--db', db, '--desk-token', deskToken,
        '--allow-origin', shopUrl,
      ], /listening/, 'kefu-server');
    },
    async stopServer() { await stopProcess(env.server); env.server = null; },
    async stop() { await env.stopServer(); await stopProcess(env.shop); },
  };
  await env.startServer();
  const kbArgs = [];
  if (kb) {
    writeFileSync(path.join(dir, 'kb.json'), JSON.stringify(kb));
    kbArgs.push('--kb', path.join(dir, 'kb.json'));
  }
  env.shop = await startProcess('node', [
    'scripts/serve-demo.mjs', '--port', String(shopPort), '--host', '127.0.0.1', '--server', serverUrl,
    ...kbArgs,
  ], /demo shop: http/, 'serve-demo');
  return env;
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

// Runs a query against the server's SQLite file with the sqlite3 CLI; returns rows as objects.
export function sql(db, query) {
  const out = execFileSync('sqlite3', ['-json', db, query], { encoding: 'utf8' }).trim();
  return out ? JSON.parse(out) : [];
}

export function loadKb() {
  return JSON.parse(readFileSync(path.join(root, 'demo/kb.json'), 'utf8'));
}

export async function waitFor(predicate, { timeout = 10000, interval = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

// Business hours that make outcomes independent of when a test runs.
export const ALWAYS_OPEN = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '23:59']]]));

// Opens the agent console in `context`, signs in as `author` and selects conversation `id`.
export async function openDesk(context, env, id, author = 'Ana') {
  const desk = await context.newPage();
  await desk.goto(`${env.serverUrl}/desk`);
  await desk.fill('#token', deskToken);
  await desk.fill('#author', author);
  await desk.locator('#token-form button[type="submit"]').click();
  await desk.locator(`#conversation-list [data-id="${id}"]`).click();
  return desk;
}
