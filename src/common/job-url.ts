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

/**
 * The API's three resources, below the base URL: a task (`POST` submits a job), a job (`GET` its
 * results, `DELETE` cancels it) and a job's status (`GET`). The client builds them and the
 * emulator matches them with the two functions below, so both speak the same paths.
 */
export type ApiRouteKind = 'task' | 'job' | 'status';

export interface ApiRoute {
  kind: ApiRouteKind;
  orgId: string;
  /** Decoded. */
  topic: string;
  /** Decoded. */
  task: string;
  /** Set for `job` and `status`. */
  jobId?: string;
}

/** The path of a route below the base path, without a leading `/`; topic and task one encoded segment each. */
export function routePath(route: ApiRoute): string {
  const task = `compute/orgs/${route.orgId}/${encodeURIComponent(route.topic)}/${encodeURIComponent(route.task)}`;
  if (route.kind === 'task') return task;
  return route.kind === 'job' ? `${task}/${route.jobId}` : `${task}/${route.jobId}/status`;
}

const ROUTE = /^compute\/orgs\/([^/]+)\/([^/]+)\/([^/]+)(?:\/([^/]+)(\/status)?)?$/;

/**
 * The route a path below the base path (no leading `/`, no query) names, or undefined when it names
 * none. IDs are not checked here. Throws `StatusUrlError` for a malformed percent-escape.
 */
export function matchRoute(path: string): ApiRoute | undefined {
  const match = ROUTE.exec(path);
  if (!match) return undefined;
  const [, orgId = '', rawTopic = '', rawTask = '', jobId, status] = match;
  let topic: string;
  let task: string;
  try {
    topic = decodeURIComponent(rawTopic);
    task = decodeURIComponent(rawTask);
  } catch {
    throw new StatusUrlError(`malformed percent-encoding in ${path}`);
  }
  const kind: ApiRouteKind = jobId === undefined ? 'task' : status ? 'status' : 'job';
  return { kind, orgId, topic, task, ...(jobId !== undefined && { jobId }) };
}

/** A route's absolute URL below the base URL, its IDs and names checked first. */
function routeUrl(base: URL, route: ApiRoute): string {
  assertUuid(route.orgId, 'orgId');
  assertSegment(route.topic, 'topic');
  assertSegment(route.task, 'task');
  if (route.kind !== 'task') assertUuid(route.jobId, 'jobId');
  return `${baseString(base)}/${routePath(route)}`;
}

type JobParts = Pick<JobRef, 'orgId' | 'topic' | 'task' | 'jobId'>;

/** `/compute/orgs/{org}/{topic}/{task}` below the base URL: where a job is submitted. */
export function taskUrl(base: URL, orgId: string, topic: string, task: string): string {
  return routeUrl(base, { kind: 'task', orgId, topic, task });
}

/** The job's own URL (results, cancel). */
export function jobUrl(base: URL, { orgId, topic, task, jobId }: JobParts): string {
  return routeUrl(base, { kind: 'job', orgId, topic, task, jobId });
}

/** The job's status URL. */
export function statusUrl(base: URL, { orgId, topic, task, jobId }: JobParts): string {
  return routeUrl(base, { kind: 'status', orgId, topic, task, jobId });
}

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
  const route = matchRoute(path);
  if (route?.kind !== 'status') throw new StatusUrlError(`not a job status URL: ${location}`);
  const { orgId, topic, task, jobId } = route;
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
