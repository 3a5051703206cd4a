/** Longest `Retry-After` we honour; a larger value is capped so that a typo cannot park a job for days. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** Reads a `Retry-After` header (delta-seconds or an HTTP date) as milliseconds from `now`. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  if (header === undefined) return undefined;
  const text = header.trim();
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    // Every HTTP-date form names its day and month; anything else (`-5`, `1.5`) is no delay at all,
    // though Date.parse would read a bare number as a year.
    if (!/[a-z]/i.test(text)) return undefined;
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    ms = Math.max(0, date - now);
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}
