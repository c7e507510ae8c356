import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lib } from './helpers.mjs';

const { installCommandQueue, COMMANDS } = await lib('command-queue');

/** The snippet's stub, exactly as documented in docs/sdk.md, run against a fake window. */
function hostWithStub() {
  const host = {};
  host.Kefu = host.Kefu || function () { (host.Kefu.q = host.Kefu.q || []).push(arguments); };
  return host;
}

function fakeRuntime() {
  const log = [];
  const reported = [];
  const starts = [];
  const controller = {};
  for (const name of ['open', 'close', 'toggle', 'setUser', 'setOrder', 'setLocale', 'on', 'off']) {
    controller[name] = (...args) => void log.push([name, ...args]);
  }
  controller.reset = async () => void log.push(['reset']);
  controller.ask = async (text) => {
    log.push(['ask', text]);
    return { decision: 'answer' };
  };
  return {
    log,
    reported,
    starts,
    options: (defaults = {}) => ({
      defaults,
      version: '9.9.9',
      report: (error) => reported.push(error),
      start: (settings) => {
        starts.push(settings);
        return controller;
      },
    }),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('calls made before load are replayed in order, then Kefu is the live function', async () => {
  const host = hostWithStub();
  const listener = () => {};
  host.Kefu('setUser', { id: 'u-17' });
  host.Kefu('on', 'escalated', listener);
  host.Kefu('setLocale', 'de');
  host.Kefu('open');
  const runtime = fakeRuntime();
  const kefu = installCommandQueue(host, runtime.options({ kb: '/kb.json', site: 'shop' }));
  await tick();
  assert.equal(host.Kefu, kefu);
  assert.equal(kefu.loaded, true);
  assert.equal(kefu.version, '9.9.9');
  assert.deepEqual(runtime.log, [['setUser', { id: 'u-17' }], ['on', 'escalated', listener], ['setLocale', 'de'], ['open']]);
  assert.equal(runtime.starts.length, 1);
  const result = await host.Kefu('ask', 'where is my parcel?');
  assert.deepEqual(result, { decision: 'answer' });
  assert.deepEqual(runtime.log.at(-1), ['ask', 'where is my parcel?']);
});

test('settings merge: data-* attributes < window.kefuSettings < queued init', async () => {
  const host = hostWithStub();
  host.kefuSettings = { locale: 'fr', endpoint: 'https://a.example' };
  host.Kefu('init', { endpoint: 'https://b.example', position: 'left' });
  const runtime = fakeRuntime();
  installCommandQueue(host, runtime.options({ kb: '/kb.json', site: 'shop', locale: 'de' }));
  assert.deepEqual(runtime.starts, [{ kb: '/kb.json', site: 'shop', locale: 'fr', endpoint: 'https://b.example', position: 'left' }]);
});

test('without a kb, calls wait for init; init twice is harmless', async () => {
  const host = hostWithStub();
  host.Kefu('open');
  const runtime = fakeRuntime();
  installCommandQueue(host, runtime.options({}));
  await tick();
  assert.equal(runtime.starts.length, 0);
  assert.deepEqual(runtime.log, []);
  const later = host.Kefu('setOrder', { id: 'A1234' });
  await host.Kefu('init', { kb: '/kb.json' });
  await later;
  assert.equal(runtime.starts.length, 1);
  assert.deepEqual(runtime.log, [['open'], ['setOrder', { id: 'A1234' }]]);
  await host.Kefu('init', { kb: '/other.json' });
  assert.equal(runtime.starts.length, 1, 'second init does not start a second assistant');
  assert.equal(runtime.reported.length, 0);
});

test('an unknown command rejects, lists the valid commands and is reported, not thrown', async () => {
  const host = hostWithStub();
  const runtime = fakeRuntime();
  installCommandQueue(host, runtime.options({ kb: '/kb.json' }));
  let thrown = null;
  let promise;
  try {
    promise = host.Kefu('launch');
  } catch (error) {
    thrown = error;
  }
  assert.equal(thrown, null, 'never throws synchronously into the host page');
  await assert.rejects(promise, (error) => {
    assert.equal(error.code, 'invalid_argument');
    for (const command of COMMANDS) assert.ok(error.message.includes(command), command);
    return true;
  });
  assert.equal(runtime.reported.length, 1);
});

test('init without a kb is refused with a clear message', async () => {
  const host = hostWithStub();
  const runtime = fakeRuntime();
  installCommandQueue(host, runtime.options({}));
  await assert.rejects(host.Kefu('init', { locale: 'de' }), /settings\.kb/);
  assert.equal(runtime.starts.length, 0);
});

test('a second copy of kefu.js keeps the first live function', () => {
  const host = hostWithStub();
  const runtime = fakeRuntime();
  const first = installCommandQueue(host, runtime.options({ kb: '/kb.json' }));
  const second = installCommandQueue(host, runtime.options({ kb: '/kb.json' }));
  assert.equal(first, second);
  assert.equal(runtime.starts.length, 1);
});
