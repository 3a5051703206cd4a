/**
 * Durations as Temporal accepts them (`Duration`: milliseconds, or a string such as `'2s'`,
 * `'5 minutes'`, `'1.5 hours'`), read into milliseconds. Pure and workflow-safe. A value that is
 * not a duration throws `InvalidInputError` naming the field, so bad input becomes the
 * non-retryable `InvalidInput` instead of an error deep inside a workflow task.
 */
import type { Duration } from '@temporalio/common';
import { InvalidInputError } from './job-url';

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  msec: 1,
  msecs: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1_000,
  sec: 1_000,
  secs: 1_000,
  second: 1_000,
  seconds: 1_000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

/** The grammar of the `ms` package that Temporal parses durations with; a bare number is ms. */
const DURATION = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)$/i;

/**
 * `value` in milliseconds: a finite number ≥ 0, or a string of a number and a unit. `field` names
 * the input field in the error (`timeout`, `poll.maximumInterval`, …).
 */
export function durationMs(value: Duration | unknown, field: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else if (typeof value === 'string') {
    const match = DURATION.exec(value.trim());
    const factor = match ? UNIT_MS[(match[2] ?? '').toLowerCase() || 'ms'] : undefined;
    if (match && factor !== undefined) return Number(match[1]) * factor;
  }
  throw new InvalidInputError(
    `${field} must be a duration (milliseconds, or a string such as '30s' or '5 minutes'), got ${JSON.stringify(value)}`,
  );
}

/** A duration in words for people: `250 ms`, `30 s`, `5 min`, `2 h`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 6_000) / 10} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}
