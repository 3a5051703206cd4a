import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_POLL_SCHEDULE,
  InvalidPollScheduleError,
  nextInterval,
  pollsInActivity,
  resolvePollSchedule,
} from '../../src/common/poll-schedule';

test('the defaults: 1 s growing by 1.5 to 30 s, auto mode, timers from 10 s', () => {
  assert.deepEqual(resolvePollSchedule(), DEFAULT_POLL_SCHEDULE);
  const intervals = [DEFAULT_POLL_SCHEDULE.initialIntervalMs];
  while (intervals.length < 12) intervals.push(nextInterval(DEFAULT_POLL_SCHEDULE, intervals.at(-1) ?? 0));
  assert.deepEqual(intervals.slice(0, 4), [1000, 1500, 2250, 3375]);
  assert.equal(intervals.at(-1), 30_000, 'capped at the maximum');
  assert.ok(
    intervals.every((ms, i) => i === 0 || ms >= (intervals[i - 1] ?? 0)),
    'never shrinks',
  );
});

test('pollInterval is a fixed interval on durable timers', () => {
  const schedule = resolvePollSchedule(undefined, '2s');
  assert.deepEqual(schedule, {
    ...DEFAULT_POLL_SCHEDULE,
    initialIntervalMs: 2000,
    maximumIntervalMs: 2000,
    backoffCoefficient: 1,
    mode: 'timer',
  });
  assert.equal(nextInterval(schedule, 2000), 2000);
});

test('an initial interval above the default maximum raises the maximum with it', () => {
  assert.equal(resolvePollSchedule({ initialInterval: '1 minute' }).maximumIntervalMs, 60_000);
});

test('auto mode polls inside the activity below the threshold, on timers from it', () => {
  const auto = resolvePollSchedule();
  assert.equal(pollsInActivity(auto, 9_999), true);
  assert.equal(pollsInActivity(auto, 10_000), false);
  assert.equal(pollsInActivity(resolvePollSchedule({ mode: 'heartbeat' }), 60_000), true);
  assert.equal(pollsInActivity(resolvePollSchedule({ mode: 'timer' }), 100), false);
});

test('a schedule that makes no sense is refused, naming the field', () => {
  for (const [poll, field] of [
    [{ initialInterval: 0 }, /poll\.initialInterval/],
    [{ backoffCoefficient: 0.9 }, /poll\.backoffCoefficient/],
    [{ initialInterval: '10s', maximumInterval: '5s' }, /poll\.maximumInterval/],
    [{ mode: 'often' }, /poll\.mode/],
  ] as const) {
    assert.throws(
      () => resolvePollSchedule(poll as never),
      (err: Error) => {
        assert.ok(err instanceof InvalidPollScheduleError);
        assert.match(err.message, field);
        return true;
      },
    );
  }
  assert.throws(
    () => resolvePollSchedule({ timerThreshold: 'soon' }),
    /poll\.timerThreshold must be a duration/,
  );
});
