/** Small numeric helpers: a seeded random source, percentiles, the poll schedule as plain numbers. */
import { nextInterval, type ResolvedPollSchedule } from '../../src/common/poll-schedule';

/** mulberry32: a tiny deterministic PRNG, so every run of the bench gets the same job durations. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `count` durations uniform in [minMs, maxMs], rounded to the millisecond. */
export function jobDurations(count: number, minMs: number, maxMs: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => Math.round(minMs + random() * (maxMs - minMs)));
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * Nominal poll times of a job (ms after its first poll) on a schedule, polling at once and then
 * after each interval, up to and including the first poll at or after `untilMs`.
 */
export function pollTimes(schedule: ResolvedPollSchedule, untilMs: number): number[] {
  const times = [0];
  let t = 0;
  let interval = schedule.initialIntervalMs;
  while (t < untilMs) {
    t += interval;
    times.push(t);
    interval = nextInterval(schedule, interval);
  }
  return times;
}

/**
 * The interval a workflow waits after its `polls`-th poll (at least 1): in every mode but `timer`
 * the interval grows once per poll and travels with each hand-back, so this is the wait before the
 * next poll, whatever the jitter and the hand-backs did to the clock.
 */
export function intervalAfterPolls(schedule: ResolvedPollSchedule, polls: number): number {
  let intervalMs = schedule.initialIntervalMs;
  for (let poll = 1; poll < polls && intervalMs < schedule.maximumIntervalMs; poll++) {
    intervalMs = nextInterval(schedule, intervalMs);
  }
  return intervalMs;
}

/** The interval between the two nominal polls around `atMs` (ms after the first poll). */
export function intervalInForce(schedule: ResolvedPollSchedule, atMs: number): number {
  const times = pollTimes(schedule, atMs);
  const last = times.at(-1) ?? 0;
  const previous = times.at(-2) ?? 0;
  return last - previous || schedule.initialIntervalMs;
}

export function fmt(value: number | undefined, digits = 1): string {
  if (value === undefined || Number.isNaN(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The most spans ([from, to]) open at once. */
export function peakConcurrent(spans: readonly [number, number][]): number {
  const edges = spans.flatMap(([from, to]) => [
    [from, 1],
    [to, -1],
  ]);
  edges.sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0));
  let now = 0;
  let peak = 0;
  for (const [, step] of edges) {
    now += step ?? 0;
    peak = Math.max(peak, now);
  }
  return peak;
}
