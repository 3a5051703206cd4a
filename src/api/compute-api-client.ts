/**
 * The HTTP client of the Evo Compute Tasks API: the four operations of the Python `JobClient`,
 * over one undici dispatcher. Knows nothing about Temporal; every failure is a `ComputeApiError`
 * with a stable `type`.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Agent, type Dispatcher, request } from 'undici';
import { ComputeFailureType, jobFailedMessage } from '../common/failures';
import {
  assertSegment,
  assertUuid,
  InvalidInputError,
  jobUrl,
  normalizeBaseUrl,
  parseStatusUrl,
  StatusUrlError,
  statusUrl,
  taskUrl,
} from '../common/job-url';
import type { JobProgress, JobRef, JobResults, SubmitJobInput } from '../common/types';
import { SDK_SOURCE } from '../common/version';
import { type AccessTokenObserver, type AccessTokenProvider, AccessTokenSource } from './access-token';
import { ComputeApiError, failureTypeForStatus, networkError } from './errors';
import { asProblem, excerpt, parseJobProgress, parseJsonObject, problemFromBody } from './responses';
import { parseRetryAfter } from './retry-after';

/** How many times a status body that cannot be read is asked for before it is believed. */
export const UNREADABLE_STATUS_ATTEMPTS = 3;
/** The wait before asking again for an unreadable status body (times the attempt number). */
const UNREADABLE_STATUS_RETRY_MS = 500;

export interface ComputeApiClientOptions {
  /** The Evo hub URL, e.g. `https://example.api.seequent.com`. */
  baseUrl: string;
  /** A token, or a function returning one; the function is called again after a 401. */
  accessToken: AccessTokenProvider;
  /**
   * A dispatcher to send requests through (a proxy agent, say). The client then neither creates
   * nor closes one, and the timeouts below do not apply.
   */
  dispatcher?: Dispatcher;
  /** Time to establish a connection. Default 10 s. */
  connectTimeoutMs?: number;
  /** Time from sending a request to receiving the response headers. Default 30 s. */
  headersTimeoutMs?: number;
  /** Longest silence while receiving a body. Default 60 s. */
  bodyTimeoutMs?: number;
  /** Keep-alive connections per origin. Default 64. */
  connections?: number;
}

/** The API operation a request belongs to (a label of the request metrics). */
export type ComputeApiOperation = 'submit' | 'status' | 'results' | 'cancel';

/**
 * Told about every HTTP exchange and token refresh, for metrics. Calls happen inside the request's
 * async context (in a worker: the activity's), and must not throw.
 */
export interface ComputeApiObserver extends AccessTokenObserver {
  /** One HTTP exchange ended: `status` is the HTTP status, or `network-error` / `aborted`. */
  requestEnded?(event: { operation: ComputeApiOperation; status: string; durationMs: number }): void;
}

export interface RequestOptions {
  /** Aborts the request (activity cancellation). The promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export class ComputeApiClient {
  readonly baseUrl: URL;
  /** `baseUrl`'s origin and a slash: how every URL on this service starts. */
  private readonly originPrefix: string;
  private readonly tokens: AccessTokenSource;
  private readonly observers = new Set<ComputeApiObserver>();
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  constructor(options: ComputeApiClientOptions) {
    this.baseUrl = normalizeBaseUrl(options.baseUrl);
    this.originPrefix = `${this.baseUrl.origin}/`;
    this.tokens = new AccessTokenSource(options.accessToken, {
      tokenRefreshed: (reason) => this.notify((observer) => observer.tokenRefreshed?.(reason)),
    });
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        connect: { timeout: options.connectTimeoutMs ?? 10_000 },
        headersTimeout: options.headersTimeoutMs ?? 30_000,
        bodyTimeout: options.bodyTimeoutMs ?? 60_000,
        connections: options.connections ?? 64,
        keepAliveTimeout: 10_000,
      });
  }

  /**
   * Submits a task: `POST /compute/orgs/{org}/{topic}/{task}`. The API has no idempotency key, so
   * a POST must not be repeated once it may have reached the service: any failure after which a
   * job may exist (the connection broke after sending, a 5xx other than 503) is a
   * `SubmitUnconfirmed` error instead of a retryable one; 408 and 425 are retried (nothing was processed).
   */
  async submit(input: SubmitJobInput<object>, options: RequestOptions = {}): Promise<JobRef> {
    const { orgId, topic, task, parameters } = input;
    const preview = input.preview ?? false;
    const url = guardInput(() => taskUrl(this.baseUrl, orgId, topic, task));
    if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
      throw invalidInput('parameters must be a JSON object');
    }
    let body: string;
    try {
      body = JSON.stringify({ parameters });
    } catch (err) {
      throw invalidInput(`parameters are not JSON-serialisable: ${err}`);
    }
    let res: RawResponse;
    try {
      res = await this.send('submit', 'POST', url, { preview, body, signal: options.signal });
      if (res.status >= 400) throw this.httpError(res, `submit ${topic}/${task}`);
    } catch (err) {
      throw unconfirmedIfAmbiguous(err);
    }
    if (res.status !== 303 && res.status !== 201 && res.status !== 202) {
      throw new ComputeApiError(ComputeFailureType.UnknownResponse, `submit: unexpected HTTP ${res.status}`, {
        status: res.status,
        body: excerpt(res.body),
      });
    }
    const location = headerValue(res.headers.location);
    if (!location) {
      throw new ComputeApiError(
        ComputeFailureType.UnknownResponse,
        `submit: HTTP ${res.status} without a Location`,
        {
          status: res.status,
        },
      );
    }
    let job: JobRef;
    try {
      job = parseStatusUrl(location, this.baseUrl, preview);
    } catch (err) {
      // Whatever the header holds, a Location we cannot read is the service's fault: never retried.
      const reason = err instanceof StatusUrlError ? err.message : `unreadable: ${err}`;
      throw new ComputeApiError(ComputeFailureType.UnknownResponse, `submit: refused Location: ${reason}`, {
        status: res.status,
        body: excerpt(location),
      });
    }
    if (job.orgId !== orgId.toLowerCase() || job.topic !== topic || job.task !== task) {
      throw new ComputeApiError(
        ComputeFailureType.UnknownResponse,
        `submit: Location names another task than the one submitted: ${location}`,
        { status: res.status, body: excerpt(location) },
      );
    }
    return job;
  }

  /**
   * `GET …/{job}/status`: 202 while the job is going, 200 once it has ended. A body that cannot be
   * read (not JSON, an HTML page, an unknown status) is asked for again a few times before it is
   * believed: one bad answer from a proxy must not end a job that is running well.
   */
  async getStatus(job: JobRef, options: RequestOptions = {}): Promise<JobProgress> {
    const url = guardInput(() => statusUrl(this.baseUrl, this.checkJob(job)));
    for (let attempt = 1; ; attempt++) {
      const res = await this.send('status', 'GET', url, { preview: job.preview, signal: options.signal });
      if (res.status !== 200 && res.status !== 202) throw this.httpError(res, 'get status');
      try {
        return parseJobProgress(res.body, res.status);
      } catch (err) {
        const unreadable = err instanceof ComputeApiError && err.type === ComputeFailureType.UnknownResponse;
        if (!unreadable || attempt >= UNREADABLE_STATUS_ATTEMPTS) throw err;
      }
      await delay(UNREADABLE_STATUS_RETRY_MS * attempt, undefined, { signal: options.signal }).catch(
        (err: unknown) => {
          throw options.signal?.reason ?? err;
        },
      );
    }
  }

  /**
   * `GET …/{job}`: the results of a succeeded job. A job still going is `JobPending`, a failed one
   * `JobFailed` (with its problem object), and one with neither results nor error (cancelled)
   * `UnknownResponse`, as in the Python client.
   */
  async getResults(job: JobRef, options: RequestOptions = {}): Promise<JobResults> {
    const url = guardInput(() => jobUrl(this.baseUrl, this.checkJob(job)));
    const res = await this.send('results', 'GET', url, { preview: job.preview, signal: options.signal });
    if (res.status === 202) {
      const status = parseJsonObject(res.body, res.status).status;
      throw new ComputeApiError(
        ComputeFailureType.JobPending,
        `job ${job.jobId} is still ${status ?? 'going'}`,
        {
          status: res.status,
        },
      );
    }
    if (res.status !== 200) throw this.httpError(res, 'get results');
    const json = parseJsonObject(res.body, res.status);
    if (json.error !== undefined && json.error !== null) {
      const problem = asProblem(json.error);
      if (!problem) {
        throw new ComputeApiError(
          ComputeFailureType.UnknownResponse,
          'get results: error is not a problem object',
          {
            status: res.status,
            body: excerpt(res.body),
          },
        );
      }
      throw new ComputeApiError(ComputeFailureType.JobFailed, jobFailedMessage(job.jobId, problem), {
        status: res.status,
        problem,
      });
    }
    const results = json.results;
    if (typeof results !== 'object' || results === null || Array.isArray(results)) {
      throw new ComputeApiError(
        ComputeFailureType.UnknownResponse,
        `get results: job ${job.jobId} (${json.status}) has no results object`,
        { status: res.status, body: excerpt(res.body) },
      );
    }
    return results as JobResults;
  }

  /** `DELETE …/{job}`: asks the service to cancel the job. */
  async cancel(job: JobRef, options: RequestOptions = {}): Promise<void> {
    const url = guardInput(() => jobUrl(this.baseUrl, this.checkJob(job)));
    const res = await this.send('cancel', 'DELETE', url, { preview: job.preview, signal: options.signal });
    if (res.status >= 300) throw this.httpError(res, 'cancel');
  }

  /** Adds an observer (once, however often it is added). Returns a function that removes it. */
  observe(observer: ComputeApiObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  private notify(call: (observer: ComputeApiObserver) => void): void {
    for (const observer of this.observers) {
      try {
        call(observer);
      } catch {
        // Metrics must never fail a request.
      }
    }
  }

  /** Closes the connection pool (when the client created it). */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** A `JobRef` must point at this client's service: its `url` is checked, never requested. */
  private checkJob(job: JobRef): JobRef {
    if (typeof job !== 'object' || job === null) throw new InvalidInputError('job must be a JobRef object');
    assertUuid(job.orgId, 'job.orgId');
    assertSegment(job.topic, 'job.topic');
    assertSegment(job.task, 'job.task');
    assertUuid(job.jobId, 'job.jobId');
    // A URL that starts with this service's origin and a slash is on it (the path cannot change the
    // origin); only another one is parsed, which spares a URL parse on every status poll.
    if (typeof job.url === 'string' && job.url !== '' && !job.url.startsWith(this.originPrefix)) {
      let origin: string;
      try {
        origin = new URL(job.url).origin;
      } catch {
        throw new InvalidInputError(`job.url is not a URL: ${JSON.stringify(job.url)}`);
      }
      if (origin !== this.baseUrl.origin) {
        throw new InvalidInputError(
          `job.url is on ${origin}, but this worker talks to ${this.baseUrl.origin}`,
        );
      }
    }
    return job;
  }

  private async send(
    operation: ComputeApiOperation,
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    options: { preview: boolean; body?: string; signal?: AbortSignal },
  ): Promise<RawResponse> {
    let token = await this.tokens.get();
    let res = await this.sendTimed(operation, method, url, token, options);
    if (res.status === 401 && this.tokens.canRefresh) {
      token = await this.tokens.refresh(token);
      res = await this.sendTimed(operation, method, url, token, options);
    }
    return res;
  }

  private async sendTimed(
    operation: ComputeApiOperation,
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    token: string,
    options: { preview: boolean; body?: string; signal?: AbortSignal },
  ): Promise<RawResponse> {
    const startedAt = performance.now();
    let status = 'network-error';
    try {
      const res = await this.sendOnce(method, url, token, options);
      status = String(res.status);
      return res;
    } catch (err) {
      if (options.signal?.aborted) status = 'aborted';
      throw err;
    } finally {
      if (this.observers.size > 0) {
        const durationMs = performance.now() - startedAt;
        this.notify((observer) => observer.requestEnded?.({ operation, status, durationMs }));
      }
    }
  }

  private async sendOnce(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    token: string,
    options: { preview: boolean; body?: string; signal?: AbortSignal },
  ): Promise<RawResponse> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      'evo-sdk-source': SDK_SOURCE,
      accept: 'application/json',
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.preview) headers['api-preview'] = 'opt-in';
    try {
      const res = await request(url, {
        method,
        headers,
        body: options.body,
        signal: options.signal,
        dispatcher: this.dispatcher,
      });
      const body = await res.body.text();
      return { status: res.statusCode, headers: res.headers, body };
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason ?? err;
      throw networkError(err, `${method} ${url}`) ?? err;
    }
  }

  private httpError(res: RawResponse, what: string): ComputeApiError {
    const type = failureTypeForStatus(res.status);
    const problem = problemFromBody(res.body);
    const retryAfterMs =
      res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers['retry-after']) : undefined;
    // The problem's text and the body stay out of the message (plain in history under any codec:
    // a refusal may quote the parameters); they are in the details, which the codec encodes.
    const reason = problem ? ` (problem ${problem.type})` : res.body ? ' (the body is in the details)' : '';
    return new ComputeApiError(type, `${what}: HTTP ${res.status}${reason}`, {
      status: res.status,
      problem,
      retryAfterMs,
      body: problem ? undefined : excerpt(res.body),
    });
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function invalidInput(message: string): ComputeApiError {
  return new ComputeApiError(ComputeFailureType.InvalidInput, message);
}

function guardInput<T>(build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof InvalidInputError) throw invalidInput(err.message);
    throw err;
  }
}

/**
 * Statuses after which a submit certainly created no job, so it may be sent again: 503 (not
 * served), 408 (the server timed out before it had the whole request, and closes the connection
 * without processing it) and 425 (the server refused to process a request that might be replayed).
 * 429 is `RateLimited`, likewise retried.
 */
const SUBMIT_NOT_PROCESSED_STATUSES: ReadonlySet<number | undefined> = new Set([503, 408, 425]);

/** Submit failures after which a job may exist become `SubmitUnconfirmed` (never retried). */
function unconfirmedIfAmbiguous(err: unknown): unknown {
  if (!(err instanceof ComputeApiError)) return err;
  const ambiguous =
    (err.type === ComputeFailureType.NetworkError && err.mayHaveReachedService) ||
    (err.type === ComputeFailureType.ServerError && !SUBMIT_NOT_PROCESSED_STATUSES.has(err.status));
  if (!ambiguous) return err;
  return new ComputeApiError(
    ComputeFailureType.SubmitUnconfirmed,
    `submit may have created a job (${err.message}); not retried to avoid a second job`,
    { status: err.status, problem: err.problem, body: err.body, mayHaveReachedService: true, cause: err },
  );
}
