// Translation speed where it matters: headless Chromium, the SDK's worker (one thread), the demo
// shop served locally with its strict CSP. For every shipped pair (models/mt/en-<xx>/) and both
// directions: the first use (download + sha256 + ONNX Runtime sessions), words per second over a
// batch of chat sentences (the held-out test lines: all in one call, and one call each), and the
// latency of 15-word messages
// (median, p95). Measurements, never pass/fail.
//
// The batch is timed --runs times (default 5) and the median is reported with the range: on a
// shared machine single runs vary by tens of percent. The share of CPU time the host stole from
// this VM while the batches ran (/proc/stat, Linux only) is recorded next to each direction.
//
//   node scripts/bench/mt_speed.mjs [--out build/bench/mt-speed.json] [--sentences 100] [--beam N] [--runs 5]
//                                   [--pairs en-es,en-de]
//
// --pairs measures only those pairs and keeps the other pairs' results already in --out.
import { readFileSync, writeFileSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const outPath = path.resolve(root, opt('--out', 'build/bench/mt-speed.json'));
const sentences = Number(opt('--sentences', '100'));
const beam = opt('--beam', null);
const runs = Math.max(1, Number(opt('--runs', '5')));
const { chromium } = createRequire(path.join(root, 'sdk-js', 'package.json'))('playwright-core');

const only = opt('--pairs', null)?.split(',');
const pairs = readdirSync(path.join(root, 'models', 'mt'))
  .filter((p) => existsSync(path.join(root, 'models', 'mt', p, 'config.json')) && (!only || only.includes(p)));
if (only && pairs.length !== only.length) {
  console.error(`mt_speed: --pairs ${only.join(',')}: shipped pairs are ${readdirSync(path.join(root, 'models', 'mt')).join(', ')}`);
  process.exit(2);
}

// Cumulative CPU jiffies: all, and stolen by the hypervisor; null where /proc/stat is missing.
function cpuTimes() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: f.reduce((a, b) => a + b, 0), steal: f[7] ?? 0 };
  } catch {
    return null;
  }
}
const stealPercent = (a, b) => (a && b && b.total > a.total ? Math.round((1000 * (b.steal - a.steal)) / (b.total - a.total)) / 10 : null);

function testLines(pair) {
  const file = path.join(root, 'build', 'mt-data', pair, 'test.tsv');
  if (!existsSync(file)) throw new Error(`${file} is missing: run scripts/train/mt/prepare_pair.py --tgt ${pair.slice(3)}`);
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'))
    .filter((c) => c[2]?.startsWith('kefu-chat'));
}

const server = spawn('node', ['scripts/serve-demo.mjs', '--port', '0', '--host', '127.0.0.1'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  server.stdout.on('data', (d) => { const m = /demo shop: (http\S+)/.exec(String(d)); if (m) resolve(m[1]); });
  server.on('exit', (code) => reject(new Error(`serve-demo exited ${code}`)));
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const result = only && existsSync(outPath) ? JSON.parse(readFileSync(outPath, 'utf8')) : {};
try {
  for (const pair of pairs) {
    const lang = pair.slice(3);
    const rows = testLines(pair);
    const page = await (await browser.newContext()).newPage();
    await page.goto(url);
    await page.evaluate(async () => {
      const { createAssistant } = await import('/kefu/kefu.mjs');
      window.__bench = await createAssistant({ kb: '/kb.json' });
    });
    // One call per text (a chat: each message as it comes).
    const measure = (texts, from, to) => page.evaluate(async ({ texts, from, to, beam }) => {
      const times = [];
      let words = 0;
      const t0 = performance.now();
      for (const text of texts) {
        const s = performance.now();
        await window.__bench.translate(text, { from, to, ...(beam ? { beam: Number(beam) } : {}) });
        times.push(performance.now() - s);
        words += text.split(/\s+/).filter(Boolean).length;
      }
      return { ms: performance.now() - t0, times, words };
    }, { texts, from, to, beam });
    // The batch: all sentences in one call, one per line; the core decodes them as one batch.
    const measureBatch = (texts, from, to) => page.evaluate(async ({ texts, from, to, beam }) => {
      const t0 = performance.now();
      const out = await window.__bench.translate(texts.join('\n'), { from, to, ...(beam ? { beam: Number(beam) } : {}) });
      return { ms: performance.now() - t0, words: texts.join(' ').split(/\s+/).filter(Boolean).length, lines: out.text.split('\n').length };
    }, { texts, from, to, beam });
    const t0 = Date.now();
    await measure(['Hello.'], 'en', lang);
    const loadMs = Date.now() - t0;
    const stats = (times) => {
      const s = [...times].sort((a, b) => a - b);
      return { median: s[Math.floor(s.length / 2)], p95: s[Math.floor(0.95 * (s.length - 1))] };
    };
    const out = { load_ms: loadMs, directions: {} };
    for (const [from, to, col] of [['en', lang, 0], [lang, 'en', 1]]) {
      const batch = rows.slice(0, sentences).map((r) => r[col]);
      const timed = [];
      const cpu0 = cpuTimes();
      for (let r = 0; r < runs; r++) timed.push(await measureBatch(batch, from, to));
      const steal = stealPercent(cpu0, cpuTimes());
      const rates = timed.map((t) => Math.round(t.words / (t.ms / 1000))).sort((x, y) => x - y);
      const b = timed[0];
      const one = await measure(batch, from, to);
      // 15-word messages: test lines of exactly 15 words where there are enough, else cut to 15.
      const fifteen = rows.map((r) => r[col].split(/\s+/)).filter((w) => w.length >= 15).slice(0, 30).map((w) => w.slice(0, 15).join(' '));
      const f = await measure(fifteen, from, to);
      const st = stats(f.times);
      out.directions[`${from}-${to}`] = {
        batch_sentences: batch.length, words: b.words, words_per_second: rates[Math.floor(rates.length / 2)],
        words_per_second_runs: rates, cpu_steal_percent: steal,
        words_per_second_one_call_each: Math.round(one.words / (one.ms / 1000)),
        messages_15_words: fifteen.length, median_ms_15_words: Math.round(st.median), p95_ms_15_words: Math.round(st.p95),
      };
      console.log(`${from}->${to}: ${out.directions[`${from}-${to}`].words_per_second} words/s as one batch (median of ${runs}: ${rates.join(', ')}; CPU steal ${steal ?? '?'} %), ${out.directions[`${from}-${to}`].words_per_second_one_call_each} one call each; 15 words median ${Math.round(st.median)} ms, p95 ${Math.round(st.p95)} ms`);
    }
    const d = Object.values(out.directions);
    out.batch_sentences = d[0].batch_sentences;
    out.words_per_second = Math.min(...d.map((x) => x.words_per_second));
    out.median_ms_15_words = Math.max(...d.map((x) => x.median_ms_15_words));
    out.p95_ms_15_words = Math.max(...d.map((x) => x.p95_ms_15_words));
    result[pair] = out;
    await page.context().close();
  }
} finally {
  await browser.close();
  server.kill();
}
mkdirSync(path.dirname(outPath), { recursive: true });
writeFileSync(outPath, JSON.stringify(result, null, 1) + '\n');
