// Prints the benchmark summary from the JSON files scripts/bench.sh wrote, and saves it as
// build/bench/summary.json. Usage: node scripts/bench/summary.mjs build/bench
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.resolve(process.argv[2] ?? 'build/bench');
const read = (name) => JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
const kefu = read('kefu.json');
const peers = read('langid-peers.json').peers;
const fasttext = read('fasttext.json');

// What each language-id peer ships: franc's JS and trigram data (and its dependencies), CLD2's
// shared library with its compiled-in tables.
function filesSize(files) {
  let bytes = 0;
  let gzip = 0;
  for (const f of files) {
    const data = readFileSync(f);
    bytes += data.length;
    gzip += gzipSync(data, { level: 9 }).length;
  }
  return { bytes, gzip_bytes: gzip };
}
const nm = (p) => path.join(root, 'sdk-js/node_modules', p);
const francSize = filesSize(['franc/data.js', 'franc/index.js', 'franc/expressions.js',
  'trigram-utils/index.js', 'n-gram/index.js', 'collapse-white-space/index.js'].map(nm));
const cld2Lib = '/usr/lib/x86_64-linux-gnu/libcld2.so.0.0.197';
const cld2Size = { bytes: statSync(cld2Lib).size, gzip_bytes: gzipSync(readFileSync(cld2Lib), { level: 9 }).length };

const pct = (x) => (x == null ? '   -  ' : `${(100 * x).toFixed(1).padStart(5)}%`);
const kb = (b) => `${(b / 1024).toFixed(0).padStart(6)} KiB`;
const langs = ['en', 'zh', 'es', 'fr', 'de', 'pt', 'it', 'ja', 'ko', 'nl', 'und'];

const langRows = [
  ['Kefu langid', kefu.langid.accuracy, kefu.langid.by_lang, kefu.sizes.langid],
  ['franc (all langs)', peers.franc_all?.accuracy, peers.franc_all?.per_language, francSize],
  ['franc (our ten)', peers.franc_only10?.accuracy, peers.franc_only10?.per_language, francSize],
  ['CLD2', peers.cld2?.accuracy, peers.cld2?.per_language, cld2Size],
];
console.log(`\nLanguage id, dev set of ${kefu.langid.n} messages (1-20 words)`);
console.log(`${'model'.padEnd(20)} overall  ${langs.map((l) => l.padStart(6)).join(' ')}   size gzip`);
for (const [name, acc, per, size] of langRows) {
  const perLang = langs.map((l) => pct(per?.[l]?.accuracy ?? per?.[l])).join(' ');
  console.log(`${name.padEnd(20)} ${pct(acc)}  ${perLang}  ${kb(size.gzip_bytes)}`);
}

const intentRows = [
  ['Kefu nlu', kefu.intent.accuracy, kefu.intent.by_lang, kefu.sizes.nlu],
  ['fastText', fasttext.full.accuracy, fasttext.full.per_language, fasttext.full],
  ['fastText quantized', fasttext.quantized.accuracy, fasttext.quantized.per_language, fasttext.quantized],
];
console.log(`\nIntent (37 classes), dev set of ${kefu.intent.n} messages`);
console.log(`${'model'.padEnd(20)} overall  ${langs.slice(0, 10).map((l) => l.padStart(6)).join(' ')}   size gzip`);
for (const [name, acc, per, size] of intentRows) {
  console.log(`${name.padEnd(20)} ${pct(acc)}  ${langs.slice(0, 10).map((l) => pct(per?.[l])).join(' ')}  ${kb(size.gzip_bytes)}`);
}
console.log(`\nKefu sentiment ${pct(kefu.sentiment.accuracy)}, urgency ${pct(kefu.urgency.accuracy)}; ` +
  'handed to a person at once (negative_sentiment/urgent), by true label: ' +
  Object.entries(kefu.early_escalation_rate).map(([k, v]) => `${k} ${pct(v).trim()}`).join(', '));
console.log('\nwasm time per message (Node 20 / V8, one thread):');
for (const [name, t] of Object.entries(kefu.timing)) {
  console.log(`  ${name.padEnd(18)} p50 ${String(t.p50_us).padStart(6)} µs   p95 ${String(t.p95_us).padStart(6)} µs`);
}
const total = kefu.sizes.langid.gzip_bytes + kefu.sizes.nlu.gzip_bytes;
console.log(`\nunderstanding models together: ${kb(total)} gzipped (budget 3 MB)`);

writeFileSync(path.join(dir, 'summary.json'), JSON.stringify({
  kefu, franc_size: francSize, cld2_size: cld2Size,
  langid_peers: peers, fasttext, understanding_gzip_bytes: total,
}, null, 2) + '\n');
