import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lib } from './helpers.mjs';

const hours = await lib('business-hours');

test('shop-local time follows the shop time zone, DST included', () => {
  // Monday 23 Nov 2026, 08:30 UTC = 09:30 in Berlin (CET, UTC+1).
  assert.deepEqual(hours.shopLocalTime('Europe/Berlin', new Date('2026-11-23T08:30:00Z')), { weekday: 'mon', minutes: 570 });
  // Summer: UTC+2.
  assert.deepEqual(hours.shopLocalTime('Europe/Berlin', new Date('2026-07-01T08:30:00Z')), { weekday: 'wed', minutes: 630 });
  // Crossing midnight into the previous weekday west of UTC.
  assert.deepEqual(hours.shopLocalTime('America/New_York', new Date('2026-11-23T02:15:00Z')), { weekday: 'sun', minutes: 21 * 60 + 15 });
  // Midnight is minute 0, not 24:00.
  assert.deepEqual(hours.shopLocalTime('UTC', new Date('2026-11-24T00:00:00Z')), { weekday: 'tue', minutes: 0 });
});

test('an unknown time zone throws RangeError', () => {
  assert.throws(() => hours.shopLocalTime('Mars/Olympus', new Date()), RangeError);
});

test('weekday names are localized', () => {
  assert.equal(hours.weekdayName('mon', 'en'), 'Monday');
  assert.equal(hours.weekdayName('sun', 'de'), 'Sonntag');
  assert.equal(hours.weekdayName('fri', 'es'), 'viernes');
});
