/**
 * Building and reading the API's job URLs. Pure functions, no I/O: the activities, the emulator
 * and orchestration code (`jobRefFromUrl`) share them, so there is exactly one place that decides
 * what a valid job address is.
 */
import type { JobRef } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Thrown for input that no request should be made with. Mapped to `InvalidInput`. */
export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
}

export function assertUuid(value: unknown, what: string): asserts value is string {
  if (!isUuid(value)) {
    throw new InvalidInputError(`${what} must be a UUID, got ${JSON.stringify(value)}`);
  }
}

export function assertSegment(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidInputError(`${what} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  // `.` and `..` survive encodeURIComponent and would be resolved as dot-segments by URL parsers.
  if (value === '.' || value === '..') {
    throw new InvalidInputError(`${what} must not be ${JSON.stringify(value)}`);
  }
}

/** A base URL without trailing slashes, checked to be http(s) with no query or fragment. */
export function normalizeBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new InvalidInputError(`baseUrl is not a URL: ${JSON.stringify(baseUrl)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidInputError(`baseUrl must be http or https, got ${url.protocol}`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new InvalidInputError('baseUrl must not contain credentials, a query or a fragment');
  }
  return url;
}

function baseString(base: URL): string {
  return `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
}

/** `/compute/orgs/{org}/{topic}/{task}` below the base URL: where a job is submitted. */
export function taskUrl(base: URL, orgId: string, topic: string, task: string): string {
  assertUuid(orgId, 'orgId');
  assertSegment(topic, 'topic');
  assertSegment(task, 'task');
  return `${baseString(base)}/compute/orgs/${orgId}/${encodeURIComponent(topic)}/${encodeURIComponent(task)}`;
}

/** The job's own URL (results, cancel). */
export function jobUrl(base: URL, job: Pick<JobRef, 'orgId' | 'topic' | 'task' | 'jobId'>): string {
  assertUuid(job.jobId, 'jobId');
  return `${taskUrl(base, job.orgId, job.topic, job.task)}/${job.jobId}`;
}

/** The job's status URL. */
export function statusUrl(base: URL, job: Pick<JobRef, 'orgId' | 'topic' | 'task' | 'jobId'>): string {
  return `${jobUrl(base, job)}/status`;
}

const STATUS_PATH = /^compute\/orgs\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)\/status$/;

/** Why a status URL was refused; the caller wraps it in the error type that fits its context. */
export class StatusUrlError extends Error {
  override name = 'StatusUrlError';
}

/**
 * Reads a status URL, absolute or relative to the base URL (as the Python client accepts both), and
 * returns its parts. Refuses another origin, a path outside the base path, a path that is not a
 * status URL, and IDs that are not UUIDs. The returned `url` is rebuilt from the parts, so nothing
 * of the input string beyond the checked parts is ever requested.
 */
export function parseStatusUrl(location: string, base: URL, preview: boolean): JobRef {
  if (location.trim() === '') throw new StatusUrlError('empty status URL');
  if (/[\\\s]/.test(location))
    throw new StatusUrlError(`status URL has a backslash or white space: ${location}`);
  const basePath = base.pathname.replace(/^\/+|\/+$/g, '');
  let path: string;
  if (/^[a-z][a-z0-9+.-]*:/i.test(location) || location.startsWith('//')) {
    let absolute: URL;
    try {
      absolute = new URL(location, base);
    } catch {
      throw new StatusUrlError(`status URL is not a URL: ${location}`);
    }
    if (absolute.origin !== base.origin) {
      throw new StatusUrlError(`status URL is on ${absolute.origin}, not on ${base.origin}`);
    }
    if (absolute.search || absolute.hash || absolute.username || absolute.password) {
      throw new StatusUrlError('status URL has credentials, a query or a fragment');
    }
    path = absolute.pathname.replace(/^\/+/, '');
    if (basePath) {
      if (!path.startsWith(`${basePath}/`))
        throw new StatusUrlError(`status URL is outside ${base.pathname}`);
      path = path.slice(basePath.length + 1);
    }
  } else {
    // Relative: like the Python client, strip a leading '/', and the base path when it is repeated.
    if (/[?#]/.test(location)) throw new StatusUrlError('status URL has a query or a fragment');
    path = location.replace(/^\/+/, '');
    if (basePath && path.startsWith(`${basePath}/`)) path = path.slice(basePath.length + 1);
  }
  const match = STATUS_PATH.exec(path);
  if (!match) throw new StatusUrlError(`not a job status URL: ${location}`);
  const [, orgId, rawTopic, rawTask, jobId] = match as unknown as [string, string, string, string, string];
  let topic: string;
  let task: string;
  try {
    topic = decodeURIComponent(rawTopic);
    task = decodeURIComponent(rawTask);
  } catch {
    throw new StatusUrlError(`status URL has a malformed escape: ${location}`);
  }
  if (!isUuid(orgId) || !isUuid(jobId)) throw new StatusUrlError(`status URL IDs are not UUIDs: ${location}`);
  if (topic === '' || task === '' || topic === '.' || topic === '..' || task === '.' || task === '..') {
    throw new StatusUrlError(`status URL has an empty or dot topic/task: ${location}`);
  }
  const ref = { orgId: orgId.toLowerCase(), topic, task, jobId: jobId.toLowerCase(), preview };
  return { ...ref, url: statusUrl(base, ref) };
}

/**
 * A `JobRef` from a job's status URL (the Python `JobClient.from_url`), for attaching
 * `runComputeJob` to a job submitted elsewhere. The URL must be on `baseUrl`.
 */
export function jobRefFromUrl(url: string, options: { baseUrl: string; preview?: boolean }): JobRef {
  const base = normalizeBaseUrl(options.baseUrl);
  try {
    return parseStatusUrl(url, base, options.preview ?? false);
  } catch (err) {
    if (err instanceof StatusUrlError) throw new InvalidInputError(err.message);
    throw err;
  }
}
