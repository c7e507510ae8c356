// The `kefu` CLI against the real wasm core (sdk-js/dist/kefu-core.wasm), the shipped
// understanding models (sdk-js/dist/models) and a small KB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dist, fixtures, root } from './helpers.mjs';

const kefu = join(root, 'scripts', 'kefu');
const kb = join(fixtures, 'sdk-kb.json');

function run(args, input = '') {
  for (const file of ['cli.mjs', 'kefu-core.mjs', 'kefu-core.wasm', 'models/manifest.json']) {
    if (!existsSync(join(dist, file))) throw new Error(`sdk-js/dist/${file} is missing: run ./scripts/build.sh`);
  }
  const result = spawnSync(kefu, args, { input, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return result;
}

function jsonLines(stdout) {
  return stdout.split('\n').filter((line, index, lines) => index < lines.length - 1 || line !== '').map((line) => JSON.parse(line));
}

test('answer: a KB question gets the KB answer, with every field present', () => {
  const result = run(['answer', '--kb', kb], 'How long does delivery to Europe take?\n');
  assert.equal(result.status, 0, result.stderr);
  const [line] = jsonLines(result.stdout);
  assert.deepEqual(Object.keys(line).sort(), ['answer', 'confidence', 'decision', 'entry_id', 'language', 'reason', 'score', 'understanding']);
  assert.equal(line.decision, 'answer');
  assert.equal(line.reason, 'matched');
  assert.equal(line.entry_id, 'delivery-time-eu');
  assert.equal(line.answer, 'Orders to the EU arrive in 3-5 working days.');
  assert.equal(line.language, 'en');
  assert.ok(line.confidence > 0.5 && line.confidence <= 1, `confidence ${line.confidence}`);
  assert.equal(line.understanding.lang, 'en');
  assert.equal(line.understanding.intent, 'delivery_period');
  const plain = jsonLines(run(['answer', '--kb', kb, '--no-models'], 'How long does delivery to Europe take?\n').stdout)[0];
  assert.equal(plain.entry_id, 'delivery-time-eu');
  assert.equal(plain.understanding, null, '--no-models: nothing understood');
});

test('answer: one output line per input line, errors included, none skipped', () => {
  const tooLong = 'a'.repeat(4001);
  const input = Buffer.concat([
    Buffer.from('Which payment methods do you accept?\n\n'),
    Buffer.from([0x66, 0x6f, 0xff, 0x6f, 0x0a]), // "fo\xffo": not UTF-8
    Buffer.from(`${tooLong}\r\n`),
    Buffer.from('¿Cuál es la política de devoluciones?\n'),
    Buffer.from('What is your return policy?'), // last line without newline
  ]);
  const result = spawnSync(kefu, ['answer', '--kb', kb], { input, timeout: 60_000 });
  assert.equal(result.status, 0, String(result.stderr));
  const lines = jsonLines(String(result.stdout));
  assert.equal(lines.length, 6);
  assert.equal(lines[0].entry_id, 'payment-methods');
  assert.deepEqual(lines[1], { error: { code: 'invalid_argument', message: 'line 2: empty question' } });
  assert.equal(lines[2].error.code, 'invalid_argument');
  assert.match(lines[2].error.message, /^line 3: .*UTF-8/);
  assert.equal(lines[3].error.code, 'out_of_range');
  assert.match(lines[3].error.message, /^line 4: question too long \(4001 characters/);
  assert.equal(lines[4].entry_id, 'return-policy');
  assert.equal(lines[4].language, 'es');
  assert.equal(lines[5].entry_id, 'return-policy');
  assert.equal(lines[5].language, 'en');
});

test('answer: lines are independent (no miss counter carried between lines)', () => {
  const nonsense = 'zzqx blorf wibble\n';
  // Without models: with them the same gibberish may read as out of scope instead of a miss.
  const result = run(['answer', '--kb', kb, '--no-models'], nonsense.repeat(3));
  const lines = jsonLines(result.stdout);
  assert.equal(lines.length, 3);
  for (const line of lines) {
    assert.notEqual(line.decision, 'answer');
    assert.equal(line.reason, 'no_match');
    assert.equal(line.answer, null);
    assert.equal(line.entry_id, null);
  }
});

test('answer: asking for a person escalates', () => {
  const [line] = jsonLines(run(['answer', '--kb', kb], 'I want to talk to a real person\n').stdout);
  assert.equal(line.decision, 'escalate');
  assert.equal(line.reason, 'customer_request');
});

test('--help and answer --help describe the commands', () => {
  const main = run(['--help']);
  assert.equal(main.status, 0);
  assert.match(main.stdout, /Usage: kefu <command>/);
  assert.match(main.stdout, /answer --kb FILE/);
  assert.match(main.stdout, /translate --from L --to L/);
  assert.doesNotMatch(main.stdout, /not available/);
  const answer = run(['answer', '--help']);
  assert.equal(answer.status, 0);
  assert.match(answer.stdout, /Usage: kefu answer --kb FILE/);
  assert.match(answer.stdout, /"decision","reason","entry_id","score","confidence","answer","language","understanding"/);
  const langid = run(['langid', '--help']);
  assert.equal(langid.status, 0);
  assert.match(langid.stdout, /Usage: kefu langid \[--models DIR\]/);
  assert.match(langid.stdout, /\{"lang","lang_confidence"\}/);
  const classify = run(['classify', '--help']);
  assert.equal(classify.status, 0);
  assert.match(classify.stdout, /Usage: kefu classify \[--models DIR\]/);
  assert.match(classify.stdout, /sha256/);
});

test('unknown command: exit 2 listing the valid commands', () => {
  const result = run(['anwser']);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /unknown command "anwser"; valid commands: answer, langid, classify/);
  assert.equal(result.stdout, '');
});

test('translate: usage errors exit 2 before anything is loaded', () => {
  const missing = run(['translate', '--to', 'en'], 'hallo\n');
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr, 'kefu translate: --from LANG is required (see kefu translate --help)\n');
  assert.equal(missing.stdout, '');
  assert.equal(run(['translate', '--from', 'de', '--to', 'de']).status, 2);
  assert.match(run(['translate', '--from', 'de', '--to', 'en', '--beam', '0']).stderr, /--beam "0" must be an integer from 1 to 8/);
  const help = run(['translate', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /exactly one output line per\s+input line/);
});

test('langid: the language of clear messages in several languages, one line each', () => {
  const input = ['¿Dónde está mi pedido?', '我的订单在哪里', 'Wo ist mein Paket?', 'Où est ma commande ?', 'I want to return these shoes', '注文した商品がまだ届きません'].join('\n');
  const result = run(['langid'], `${input}\n`);
  assert.equal(result.status, 0, result.stderr);
  const lines = jsonLines(result.stdout);
  assert.deepEqual(lines.map((line) => line.lang), ['es', 'zh', 'de', 'fr', 'en', 'ja']);
  for (const line of lines) {
    assert.deepEqual(Object.keys(line), ['lang', 'lang_confidence']);
    assert.ok(line.lang_confidence >= 0.9 && line.lang_confidence <= 1, JSON.stringify(line));
  }
});

test('classify: intent, sentiment, urgency and entities with their spans', () => {
  const message = 'Where is my order #A1234? Mail me at ana@example.com';
  const result = run(['classify'], `I want to return these shoes\n${message}\n`);
  assert.equal(result.status, 0, result.stderr);
  const [shoes, order] = jsonLines(result.stdout);
  assert.deepEqual(Object.keys(shoes), [
    'lang', 'lang_confidence', 'intent', 'confidence', 'top', 'sentiment', 'sentiment_confidence', 'urgency', 'urgency_confidence', 'entities',
  ]);
  assert.equal(shoes.lang, 'en');
  assert.equal(shoes.intent, 'return_item');
  assert.ok(shoes.confidence >= 0.5, `return_item confidence ${shoes.confidence}`);
  assert.equal(shoes.top.length, 3);
  assert.equal(shoes.top[0].intent, 'return_item');
  assert.ok(shoes.top[0].score >= shoes.top[1].score && shoes.top[1].score >= shoes.top[2].score);
  assert.ok(['negative', 'neutral', 'positive'].includes(shoes.sentiment));
  assert.ok(['low', 'normal', 'high', 'urgent'].includes(shoes.urgency));
  assert.deepEqual(shoes.entities, []);

  assert.equal(order.intent, 'track_order');
  const orderNumber = order.entities.find((entity) => entity.type === 'order_number');
  assert.ok(orderNumber, JSON.stringify(order.entities));
  assert.equal(orderNumber.value, 'A1234');
  assert.equal(message.slice(orderNumber.start, orderNumber.end), orderNumber.text);
  assert.equal(orderNumber.text, '#A1234');
  const email = order.entities.find((entity) => entity.type === 'email');
  assert.equal(message.slice(email.start, email.end), 'ana@example.com');
});

test('langid and classify: one output line per input line, errors included', () => {
  const input = Buffer.concat([
    Buffer.from('Bonjour, je voudrais annuler ma commande\n\n'),
    Buffer.from([0x66, 0x6f, 0xff, 0x6f, 0x0a]), // "fo\xffo": not UTF-8
    Buffer.from('   \r\n'),
    Buffer.from('Mijn pakket is nog steeds niet aangekomen'), // last line without newline
  ]);
  for (const command of ['langid', 'classify']) {
    const result = spawnSync(kefu, [command], { input, timeout: 60_000 });
    assert.equal(result.status, 0, String(result.stderr));
    const lines = jsonLines(String(result.stdout));
    assert.equal(lines.length, 5, command);
    assert.equal(lines[0].lang, 'fr');
    assert.deepEqual(lines[1], { error: { code: 'invalid_argument', message: 'line 2: empty message' } });
    assert.equal(lines[2].error.code, 'invalid_argument');
    assert.match(lines[2].error.message, /^line 3: .*UTF-8/);
    assert.deepEqual(lines[3], { error: { code: 'invalid_argument', message: 'line 4: empty message' } });
    assert.equal(lines[4].lang, 'nl');
    if (command === 'classify') assert.equal(lines[0].intent, 'cancel_order');
  }
});

test('a corrupted model copy is refused before use: clear error naming the file and hashes, exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kefu-models-'));
  cpSync(join(dist, 'models'), dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const nlu = manifest.models.find((model) => model.name === 'nlu');
  const file = join(dir, nlu.file);
  const bytes = readFileSync(file);
  bytes[Math.floor(bytes.length / 2)] ^= 0x01;
  writeFileSync(file, bytes);

  const intact = run(['langid', '--models', dir], 'Wo ist mein Paket?\n');
  assert.equal(intact.status, 0, 'langid needs only the intact langid model');
  assert.equal(jsonLines(intact.stdout)[0].lang, 'de');

  for (const args of [['classify', '--models', dir], ['answer', '--kb', kb, '--models', dir]]) {
    const result = run(args, 'I want to return these shoes\n');
    assert.equal(result.status, 1, `${args[0]}: ${result.stderr}`);
    assert.equal(result.stdout, '', `${args[0]} must not print results from a corrupted model`);
    assert.match(result.stderr, new RegExp(`^kefu ${args[0]}: .*kefu-nlu\\.bin: sha256 mismatch`));
    assert.ok(result.stderr.includes(nlu.sha256), 'names the expected hash');
    assert.match(result.stderr, /the file has [0-9a-f]{64}/);
  }

  const missing = run(['classify', '--models', join(dir, 'nowhere')], 'hi\n');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^kefu classify: cannot read .*nowhere\/manifest\.json/);
});

test('usage errors exit 2; an unreadable or invalid KB exits 1 naming the problem', () => {
  const noKb = run(['answer']);
  assert.equal(noKb.status, 2);
  assert.match(noKb.stderr, /--kb FILE is required/);
  const badOption = run(['answer', '--kb', kb, '--fast']);
  assert.equal(badOption.status, 2);
  assert.match(badOption.stderr, /unknown option "--fast"/);
  const missing = run(['answer', '--kb', '/nonexistent/kb.json'], 'hi\n');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read --kb \/nonexistent\/kb\.json/);
  const dir = mkdtempSync(join(tmpdir(), 'kefu-cli-'));
  const invalid = join(dir, 'kb.json');
  writeFileSync(invalid, JSON.stringify({ kefu_kb: 1, shop: { id: 'x' }, entries: [] }));
  const bad = run(['answer', '--kb', invalid], 'hi\n');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /kb\.json: /);
  assert.equal(bad.stdout, '');
});
