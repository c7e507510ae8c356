// Language-id peers on Kefu's dev set: franc (npm, sdk-js devDependency) unrestricted and
// restricted to Kefu's ten languages, and CLD2 (Debian libcld2, via scripts/bench/cld2_langid.cc)
// when its binary is given. Prints one JSON object: accuracy per language and overall.
//
//   node scripts/bench/peers_langid.mjs [--dev build/train-data/langid/dev.jsonl]
//        [--cld2 build/bench/cld2_langid]
// franc maps ISO 639-3 to ours (eng→en, cmn→zh, ...); every other code, and franc's `und`, is
// `und`. franc normally answers `und` below 10 characters; we pass minLength 1 so it must guess
// (short messages are the point of the dev set) and report that setting.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const devPath = path.resolve(root, opt('--dev', 'build/train-data/langid/dev.jsonl'));
const cld2Path = opt('--cld2', null);

const { franc } = await import(
  pathToFileURL(path.join(root, 'sdk-js/node_modules/franc/index.js')).href
);

const ISO3 = {
  eng: 'en', cmn: 'zh', spa: 'es', fra: 'fr', deu: 'de',
  por: 'pt', ita: 'it', jpn: 'ja', kor: 'ko', nld: 'nl',
};
const LANGS = ['en', 'zh', 'es', 'fr', 'de', 'pt', 'it', 'ja', 'ko', 'nl', 'und'];

const rows = readFileSync(devPath, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));

function score(predictions) {
  const per = {};
  let correct = 0;
  for (const lang of LANGS) per[lang] = { n: 0, correct: 0 };
  rows.forEach((row, i) => {
    const p = per[row.lang] ?? (per[row.lang] = { n: 0, correct: 0 });
    p.n += 1;
    if (predictions[i] === row.lang) {
      p.correct += 1;
      correct += 1;
    }
  });
  const perLanguage = {};
  for (const [lang, p] of Object.entries(per)) {
    perLanguage[lang] = p.n ? Number((p.correct / p.n).toFixed(4)) : null;
  }
  const ten = LANGS.filter((l) => l !== 'und');
  const tenN = ten.reduce((s, l) => s + per[l].n, 0);
  const tenC = ten.reduce((s, l) => s + per[l].correct, 0);
  return {
    accuracy: Number((correct / rows.length).toFixed(4)),
    accuracy_ten_languages: Number((tenC / tenN).toFixed(4)),
    per_language: perLanguage,
  };
}

const timed = (fn) => {
  const t0 = process.hrtime.bigint();
  const out = fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { out, us_per_message: Number(((ms * 1000) / rows.length).toFixed(1)) };
};

const report = { dev: path.relative(root, devPath), lines: rows.length, peers: {} };

const all = timed(() => rows.map((r) => ISO3[franc(r.text, { minLength: 1 })] ?? 'und'));
report.peers.franc_all = { ...score(all.out), us_per_message: all.us_per_message,
  setting: 'franc 6.2.0, all 187 languages, minLength 1' };
const only = Object.keys(ISO3);
const ten = timed(() =>
  rows.map((r) => ISO3[franc(r.text, { minLength: 1, only })] ?? 'und'));
report.peers.franc_only10 = { ...score(ten.out), us_per_message: ten.us_per_message,
  setting: 'franc 6.2.0, only Kefu\'s ten languages (cannot answer und), minLength 1' };

if (cld2Path) {
  const bin = path.resolve(root, cld2Path);
  if (!existsSync(bin)) {
    console.error(`peers_langid: no CLD2 binary at ${bin}`);
    process.exit(2);
  }
  const input = rows.map((r) => r.text.replace(/[\r\n]+/g, ' ')).join('\n') + '\n';
  const t0 = process.hrtime.bigint();
  const run = spawnSync(bin, [], { input, encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (run.status !== 0) {
    console.error(`peers_langid: ${bin} failed: ${run.stderr}`);
    process.exit(2);
  }
  const preds = run.stdout.split('\n').slice(0, rows.length);
  report.peers.cld2 = { ...score(preds),
    us_per_message: Number(((ms * 1000) / rows.length).toFixed(1)),
    setting: 'Debian libcld2 0.0.197, DetectLanguage plain text (process time incl. spawn)' };
}

console.log(JSON.stringify(report, null, 2));
