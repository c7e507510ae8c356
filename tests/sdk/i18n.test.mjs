import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lib } from './helpers.mjs';

const i18n = await lib('i18n');
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('the table has exactly the ten languages', () => {
  assert.deepEqual(Object.keys(i18n.STRINGS).sort(), ['de', 'en', 'es', 'fr', 'it', 'ja', 'ko', 'nl', 'pt', 'zh']);
  assert.deepEqual([...i18n.LANGUAGES].sort(), Object.keys(i18n.STRINGS).sort());
});

test('every language has the same keys, non-empty, with the same placeholders as English', () => {
  const en = i18n.STRINGS.en;
  for (const [language, strings] of Object.entries(i18n.STRINGS)) {
    assert.deepEqual(Object.keys(strings).sort(), Object.keys(en).sort(), `${language} keys`);
    for (const key of Object.keys(en)) {
      assert.equal(typeof strings[key], 'string', `${language}.${key}`);
      assert.ok(strings[key].trim().length > 0, `${language}.${key} is empty`);
      assert.deepEqual(placeholders(strings[key]), placeholders(en[key]), `${language}.${key} placeholders`);
    }
  }
});

test('non-English tables are translated, not copies of English', () => {
  for (const language of i18n.LANGUAGES.filter((l) => l !== 'en')) {
    const strings = i18n.STRINGS[language];
    for (const key of ['talkToPerson', 'greeting', 'handoffQueued', 'degraded']) {
      assert.notEqual(strings[key], i18n.STRINGS.en[key], `${language}.${key}`);
    }
  }
});

test('resolveLanguage maps locales to the ten languages with an English fallback', () => {
  assert.equal(i18n.resolveLanguage('de-AT'), 'de');
  assert.equal(i18n.resolveLanguage('zh-Hant-TW'), 'zh');
  assert.equal(i18n.resolveLanguage('pt_BR'), 'pt');
  assert.equal(i18n.resolveLanguage('JA'), 'ja');
  assert.equal(i18n.resolveLanguage('sv-SE'), 'en');
  assert.equal(i18n.resolveLanguage(''), 'en');
  assert.equal(i18n.resolveLanguage(undefined, 'es'), 'es');
});

test('overrides apply flat and per language; unknown or non-string values are ignored', () => {
  const strings = i18n.stringsFor('de', { greeting: 'Hi all', de: { send: 'Los' }, fr: { send: 'Go' }, send2: 'x', title: 5 });
  assert.equal(strings.greeting, 'Hi all');
  assert.equal(strings.send, 'Los');
  assert.equal(strings.title, i18n.STRINGS.de.title);
  assert.equal('send2' in strings, false);
  assert.equal(i18n.stringsFor('fr', { fr: { send: 'Go' } }).send, 'Go');
  assert.equal(i18n.stringsFor('en').send, 'Send');
});

test('format fills placeholders and leaves unknown ones visible', () => {
  assert.equal(i18n.format('back {day} at {time}', { day: 'Monday', time: '09:00' }), 'back Monday at 09:00');
  assert.equal(i18n.format('write to {email}', {}), 'write to {email}');
});
