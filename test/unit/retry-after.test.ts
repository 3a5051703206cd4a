import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../src/api/retry-after';

const NOW = Date.parse('2026-01-01T00:00:00Z');

test('Retry-After in seconds or as an HTTP date, in ms from now', () => {
  assert.equal(parseRetryAfter('7', NOW), 7000);
  assert.equal(parseRetryAfter(' 0 ', NOW), 0);
  assert.equal(parseRetryAfter(['3', '9'], NOW), 3000);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', NOW), 30_000);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', NOW), 0, 'a date in the past is now');
});

test('absent or unreadable is undefined; a huge value is capped', () => {
  assert.equal(parseRetryAfter(undefined, NOW), undefined);
  assert.equal(parseRetryAfter('soon', NOW), undefined);
  assert.equal(parseRetryAfter('', NOW), undefined);
  // Not delta-seconds, and no date either (Date.parse would read a bare number as a year).
  assert.equal(parseRetryAfter('-5', NOW), undefined);
  assert.equal(parseRetryAfter('1.5', NOW), undefined);
  assert.equal(parseRetryAfter('999999', NOW), MAX_RETRY_AFTER_MS);
});
