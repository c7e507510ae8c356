// Kefu's understanding models measured through the wasm core (the same kefu-core.wasm and model
// files the browser loads; Node runs the same V8 engine as Chromium): accuracy on the dev sets
// of scripts/train/prepare_{langid,nlu}.py, per language, and the wasm time per message
// (p50/p95) of language id, of the full analysis, and of a whole `ask` against the demo KB.
//
//   node scripts/bench/kefu_understanding.mjs [--out build/bench/kefu.json]
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const outPath = path.resolve(root, args[args.indexOf('--out') + 1] && args.includes('--out')
  ? args[args.indexOf('--out') + 1] : 'build/bench/kefu.json');

const wasmDir = path.join(root, 'build/wasm/wasm');
const { default: createKefuCore } = await import(pathToFileURL(path.join(wasmDir, 'kefu-core.mjs')).href);
const core = await createKefuCore({ wasmBinary: readFileSync(path.join(wasmDir, 'kefu-core.wasm')) });
const assistant = new core.Assistant();
const must = (status, what) => {
  if (!status.ok) throw new Error(`${what}: ${status.code}: ${status.message}`);
  return status.value;
};
must(assistant.loadLanguageModel(readFileSync(path.join(root, 'models/langid/kefu-langid.bin'))), 'langid model');
must(assistant.loadIntentModel(readFileSync(path.join(root, 'models/nlu/kefu-nlu.bin'))), 'nlu model');
must(assistant.loadKnowledgeBase(readFileSync(path.join(root, 'demo/kb.json'), 'utf8')), 'demo KB');

const readJsonl = (file) => readFileSync(path.join(root, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const langDev = readJsonl('build/train-data/langid/dev.jsonl');
const nluDev = readJsonl('build/train-data/nlu/dev.jsonl');

function accuracy(rows, predict, field, groupBy) {
  const per = {};
  let correct = 0;
  for (const row of rows) {
    const key = row[groupBy];
    per[key] ??= { n: 0, correct: 0 };
    per[key].n += 1;
    if (predict(row) === row[field]) {
      per[key].correct += 1;
      correct += 1;
    }
  }
  const byGroup = Object.fromEntries(Object.entries(per).sort().map(([k, v]) => [k, +(v.correct / v.n).toFixed(4)]));
  return { accuracy: +(correct / rows.length).toFixed(4), n: rows.length, [`by_${groupBy}`]: byGroup };
}

const langPred = new Map(langDev.map((r) => [r, must(assistant.identifyLanguage(r.text), 'langid').lang]));
const nluPred = new Map(nluDev.map((r) => [r, must(assistant.analyze(r.text), 'analyze')]));
const results = {
  langid: accuracy(langDev, (r) => langPred.get(r), 'lang', 'lang'),
  intent: accuracy(nluDev, (r) => nluPred.get(r).intent, 'intent', 'lang'),
  sentiment: accuracy(nluDev.filter((r) => r.sentiment), (r) => nluPred.get(r).sentiment, 'sentiment', 'lang'),
  urgency: accuracy(nluDev.filter((r) => r.urgency), (r) => nluPred.get(r).urgency, 'urgency', 'lang'),
};

// How often the policy hands a dev message straight to a person as angry or urgent (the core's
// own decision through `ask`, each message as a new conversation), split by the message's true
// labels: the early-escalation thresholds of docs/core.md at work.
const early = { 'negative+high': [0, 0], 'negative, not pressed': [0, 0], urgent: [0, 0], other: [0, 0] };
for (const r of nluDev.filter((x) => x.sentiment)) {
  assistant.resetConversation();
  const reply = must(assistant.ask(r.text, '{"locale":"en-US"}'), 'ask');
  const escalates = reply.reason === 'negative_sentiment' || reply.reason === 'urgent';
  const pressed = r.urgency === 'high' || r.urgency === 'urgent';
  const bucket = r.urgency === 'urgent' ? 'urgent'
    : r.sentiment === 'negative' ? (pressed ? 'negative+high' : 'negative, not pressed') : 'other';
  early[bucket][0] += escalates ? 1 : 0;
  early[bucket][1] += 1;
}
assistant.resetConversation();
results.early_escalation_rate = Object.fromEntries(Object.entries(early).map(([k, [e, n]]) => [k, +(e / n).toFixed(4)]));

// Wasm time per message: each call repeated over the dev texts, after a warm-up.
function timeIt(fn, texts, rounds = 3) {
  for (const t of texts.slice(0, 200)) fn(t);
  const times = [];
  for (let r = 0; r < rounds; r++) {
    for (const t of texts) {
      const t0 = performance.now();
      fn(t);
      times.push(performance.now() - t0);
    }
  }
  times.sort((a, b) => a - b);
  const q = (p) => +(times[Math.floor(p * (times.length - 1))] * 1000).toFixed(1);
  return { p50_us: q(0.5), p95_us: q(0.95), calls: times.length };
}
const texts = nluDev.map((r) => r.text);
results.timing = {
  identifyLanguage: timeIt((t) => assistant.identifyLanguage(t), texts),
  analyze: timeIt((t) => assistant.analyze(t), texts),
  ask_demo_kb: timeIt((t) => { assistant.ask(t, '{"locale":"en-US"}'); assistant.resetConversation(); }, texts),
};
results.sizes = {};
for (const m of JSON.parse(readFileSync(path.join(root, 'models/manifest.json'), 'utf8')).models) {
  results.sizes[m.name] = { bytes: m.bytes, gzip_bytes: m.gzip_bytes };
}

mkdirSync(path.dirname(outPath), { recursive: true });
writeFileSync(outPath, JSON.stringify(results, null, 2) + '\n');
console.log(JSON.stringify(results));
