import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_POLL_SCHEDULE,
  InvalidPollScheduleError,
  jitteredInterval,
  nextInterval,
  POLL_JITTER,
  type ResolvedPollSchedule,
  resolvePollSchedule,
  sparseHeartbeatEveryMs,
  sparseHeartbeatTimeoutMs,
  sparseOutgrows,
} from '../../src/common/poll-schedule';
import { movesProgress } from '../../src/common/progress-step';

test('the defaults: 1 s growing by 1.5 to 30 s, sparse mode', () => {
  assert.equal(DEFAULT_POLL_SCHEDULE.mode, 'sparse');
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

test('jitter only ever shortens a wait, by up to POLL_JITTER', () => {
  assert.equal(
    jitteredInterval(10_000, () => 0),
    10_000,
  );
  assert.equal(
    jitteredInterval(10_000, () => 0.5),
    10_000 * (1 - POLL_JITTER / 2),
  );
  assert.equal(
    jitteredInterval(10_000, () => 0.999_999),
    Math.round(10_000 * (1 - POLL_JITTER * 0.999_999)),
  );
  assert.equal(
    jitteredInterval(1, () => 0.999),
    1,
    'never zero',
  );
});

test('a reading is handed to the workflow when it is the first, or moves the status or the 10 % step', () => {
  assert.equal(movesProgress(undefined, { status: 'requested' }), true);
  assert.equal(movesProgress({ status: 'requested' }, { status: 'requested', progress: 0 }), false);
  assert.equal(movesProgress({ status: 'requested' }, { status: 'in progress', progress: 0 }), true);
  assert.equal(
    movesProgress({ status: 'in progress', progress: 12 }, { status: 'in progress', progress: 19 }),
    false,
  );
  assert.equal(
    movesProgress({ status: 'in progress', progress: 19 }, { status: 'in progress', progress: 20 }),
    true,
  );
  // A reading without a percentage keeps the last one, as the workflow's record does.
  assert.equal(movesProgress({ status: 'in progress', progress: 40 }, { status: 'in progress' }), false);
  assert.equal(
    movesProgress({ status: 'in progress', progress: 99 }, { status: 'succeeded', progress: 100 }),
    true,
  );
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
    () => resolvePollSchedule({ mode: 'auto' } as never),
    /poll\.mode must be retry, heartbeat, sparse or timer/,
  );
});

test('sparse: the heartbeat timeout is max(30 s, 2 × interval) less 3 s for the retry', () => {
  assert.equal(sparseHeartbeatTimeoutMs(1_000), 27_000);
  assert.equal(sparseHeartbeatTimeoutMs(15_000), 27_000);
  assert.equal(sparseHeartbeatTimeoutMs(30_000), 57_000);
  assert.equal(sparseHeartbeatTimeoutMs(600_000), 1_197_000);
});

test('sparse: a beat goes out 3 s before the timeout, past the SDK throttle of 80 % of it', () => {
  for (const timeoutMs of [27_000, 57_000]) {
    const everyMs = sparseHeartbeatEveryMs(timeoutMs);
    assert.equal(everyMs, timeoutMs - 3_000);
    assert.ok(everyMs > 0.8 * timeoutMs, `${everyMs} ms would be held back by the throttle`);
  }
});

/** The intervals at which a `sparse` attempt hands back for a longer timeout over 40 polls, and the last timeout. */
function sparseHandBacks(schedule: ResolvedPollSchedule): { handBacks: number[]; timeoutMs: number } {
  let intervalMs = schedule.initialIntervalMs;
  let timeoutMs = sparseHeartbeatTimeoutMs(intervalMs);
  const handBacks: number[] = [];
  for (let poll = 0; poll < 40; poll++) {
    intervalMs = nextInterval(schedule, intervalMs);
    if (sparseOutgrows(schedule, intervalMs, timeoutMs)) {
      handBacks.push(intervalMs);
      timeoutMs = sparseHeartbeatTimeoutMs(intervalMs);
    }
  }
  return { handBacks, timeoutMs };
}

test('sparse: at the default schedule an attempt hands back once for a longer timeout, when the interval reaches 30 s', () => {
  const schedule = DEFAULT_POLL_SCHEDULE;
  const { handBacks, timeoutMs } = sparseHandBacks(schedule);
  assert.deepEqual(handBacks, [30_000]);
  assert.equal(timeoutMs, 57_000);
});

test('sparse: a schedule that grows far hands back each time the timeout it allows has doubled', () => {
  const schedule = resolvePollSchedule({
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '10m',
  });
  const { handBacks, timeoutMs } = sparseHandBacks(schedule);
  // 32 s allows 61 s ≥ 2 × 27 s; 64 s allows 125 s ≥ 2 × 61 s; …; then the maximum.
  assert.deepEqual(handBacks, [32_000, 64_000, 128_000, 256_000, 512_000, 600_000]);
  // A dead worker is noticed within two intervals whatever the interval in force.
  assert.ok(timeoutMs <= 2 * 600_000);
});
