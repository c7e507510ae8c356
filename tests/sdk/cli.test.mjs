// The `kefu` CLI against the real wasm core (sdk-js/dist/kefu-core.wasm) and a small KB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dist, fixtures, root } from './helpers.mjs';

const kefu = join(root, 'scripts', 'kefu');
const kb = join(fixtures, 'sdk-kb.json');

function run(args, input = '') {
  for (const file of ['cli.mjs', 'kefu-core.mjs', 'kefu-core.wasm']) {
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
  assert.deepEqual(Object.keys(line).sort(), ['answer', 'confidence', 'decision', 'entry_id', 'language', 'reason', 'score']);
  assert.equal(line.decision, 'answer');
  assert.equal(line.reason, 'matched');
  assert.equal(line.entry_id, 'delivery-time-eu');
  assert.equal(line.answer, 'Orders to the EU arrive in 3-5 working days.');
  assert.equal(line.language, 'en');
  assert.ok(line.confidence > 0.5 && line.confidence <= 1, `confidence ${line.confidence}`);
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
  const result = run(['answer', '--kb', kb], nonsense.repeat(3));
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
  assert.match(main.stdout, /translate\s+not available yet \(next releases\)/);
  const answer = run(['answer', '--help']);
  assert.equal(answer.status, 0);
  assert.match(answer.stdout, /Usage: kefu answer --kb FILE/);
  assert.match(answer.stdout, /"decision","reason","entry_id","score","confidence","answer","language"/);
});

test('unknown command: exit 2 listing the valid commands', () => {
  const result = run(['anwser']);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /unknown command "anwser"; valid commands: answer/);
  assert.equal(result.stdout, '');
});

test('langid, classify and translate exit 2 as not available yet', () => {
  for (const command of ['langid', 'classify', 'translate']) {
    const result = run([command], 'hello\n');
    assert.equal(result.status, 2, command);
    assert.equal(result.stderr, `kefu ${command}: not available yet (next releases)\n`);
    assert.equal(result.stdout, '', `${command} must not print results`);
  }
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
