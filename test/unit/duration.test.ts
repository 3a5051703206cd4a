import assert from 'node:assert/strict';
import { test } from 'node:test';
import { durationMs, formatDuration } from '../../src/common/duration';
import { InvalidInputError } from '../../src/common/job-url';

test('durations as Temporal reads them, in milliseconds', () => {
  for (const [value, ms] of [
    [250, 250],
    ['250', 250],
    ['2s', 2000],
    ['1.5 hours', 5_400_000],
    [' 5 Minutes ', 300_000],
    ['.5s', 500],
    ['1w', 604_800_000],
  ] as const) {
    assert.equal(durationMs(value, 'timeout'), ms, String(value));
  }
});

test('anything else is InvalidInputError naming the field', () => {
  for (const value of [
    'banana',
    '',
    '-1s',
    '2 fortnights',
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    null,
    {},
    true,
  ]) {
    assert.throws(
      () => durationMs(value, 'poll.maximumInterval'),
      (err: Error) =>
        err instanceof InvalidInputError && /^poll\.maximumInterval must be a duration/.test(err.message),
      JSON.stringify(value),
    );
  }
});

test('durations for people: ms below a second', () => {
  assert.deepEqual([250, 1500, 90_000, 300_000, 10_800_000].map(formatDuration), [
    '250 ms',
    '1.5 s',
    '90 s',
    '5 min',
    '3 h',
  ]);
});
