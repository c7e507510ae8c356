import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lib } from './helpers.mjs';

const errors = await lib('errors');

test('every status code maps to its own KefuError subclass', () => {
  const expected = {
    invalid_argument: 'InvalidArgumentError',
    not_found: 'NotFoundError',
    out_of_range: 'OutOfRangeError',
    data_loss: 'DataLossError',
    unavailable: 'UnavailableError',
    internal: 'InternalError',
  };
  assert.deepEqual([...errors.KEFU_ERROR_CODES].sort(), Object.keys(expected).sort());
  for (const [code, name] of Object.entries(expected)) {
    const error = errors.errorFromStatus({ code, message: `boom ${code}` });
    assert.ok(error instanceof errors.KefuError, code);
    assert.ok(error instanceof Error, code);
    assert.ok(error instanceof errors[name], `${code} -> ${name}`);
    assert.equal(error.name, name);
    assert.equal(error.code, code);
    assert.equal(error.message, `boom ${code}`);
    assert.deepEqual(error.toJSON(), { name, code, message: `boom ${code}` });
  }
});

test('an unknown code becomes an InternalError that keeps the original code', () => {
  const error = errors.errorFromStatus({ code: 'permission_denied', message: 'nope' });
  assert.ok(error instanceof errors.InternalError);
  assert.equal(error.code, 'internal');
  assert.match(error.message, /nope/);
  assert.match(error.message, /permission_denied/);
});

test('a missing message is replaced, not left empty', () => {
  assert.equal(errors.errorFromStatus({ code: 'not_found' }).message, 'unknown error');
});

test('toKefuError keeps KefuErrors, maps {code} objects and wraps plain errors', () => {
  const original = new errors.NotFoundError('x');
  assert.equal(errors.toKefuError(original), original);
  assert.ok(errors.toKefuError({ code: 'data_loss', message: 'bad' }) instanceof errors.DataLossError);
  const wrapped = errors.toKefuError(new TypeError('oops'));
  assert.ok(wrapped instanceof errors.InternalError);
  assert.equal(wrapped.message, 'oops');
  assert.ok(errors.toKefuError('down', 'unavailable') instanceof errors.UnavailableError);
});

test('invalidChoice names the value and lists the valid ones', () => {
  const error = errors.invalidChoice('options.storage', 'session', ['local', 'memory']);
  assert.ok(error instanceof errors.InvalidArgumentError);
  assert.equal(error.message, 'options.storage: "session" is not valid; must be one of local, memory');
});
