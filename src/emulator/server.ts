/**
 * The emulator's HTTP server: authentication, routing, the four endpoints and request recording.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ApiRoute,
  type ApiRouteKind,
  isUuid,
  matchRoute,
  routePath,
  StatusUrlError,
} from '../common/job-url';
import type { JobStatus } from '../common/types';
import {
  flattenHeaders,
  jsonResponse,
  MAX_BODY_BYTES,
  problemResponse,
  readBody,
  writeResponse,
} from './http';
import { type EmulatedJob, isOngoing, JobStore, jobStateAt, requestCancel, snapshotJob } from './jobs';
import { EmulatedIssuer } from './oauth';
import { HttpProblem, httpProblem, makeProblem } from './problems';
import {
  DEFAULT_CATALOGUE_TASK_DURATION_MS,
  findTask,
  isJsonObject,
  type TaskDuration,
  type TaskImplementation,
} from './tasks';
import type { ComputeEmulator, ComputeEmulatorOptions, RecordedRequest, RequestCounts } from './types';

interface EmulatorContext {
  url: string;
  accessToken: string | undefined;
  issuer?: EmulatedIssuer;
  location: 'absolute' | 'relative';
  cancelSpelling: 'cancelled' | 'canceled';
  now: () => number;
  maxRecordedRequests: number;
  taskDurationMs: TaskDuration;
  /** Request bodies read so far, for `requests`. */
  bodies: WeakMap<IncomingMessage, string>;
  jobs: JobStore;
  requests: RecordedRequest[];
  counts: RequestCounts;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/** The methods each of the API's resources accepts. */
const ROUTE_METHODS = {
  task: ['POST'],
  job: ['GET', 'DELETE'],
  status: ['GET'],
} as const satisfies Record<ApiRouteKind, readonly string[]>;

function notFound(path: string): HttpProblem {
  return httpProblem(404, 'not-found', `no such resource: ${path}`);
}

/** The API route a request names (matched as the client builds it); anything else is a 404. */
function parseRoute(target: string): ApiRoute {
  const path = /^[a-z][a-z0-9+.-]*:\/\//i.test(target)
    ? new URL(target).pathname
    : target.replace(/[?#].*$/s, '');
  let route: ApiRoute | undefined;
  try {
    route = path.startsWith('/') ? matchRoute(path.slice(1)) : undefined;
  } catch (err) {
    if (err instanceof StatusUrlError) throw httpProblem(400, 'invalid-path', err.message);
    throw err;
  }
  if (!route) throw notFound(path);
  return route;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function unauthorized(detail: string, error?: string): HttpProblem {
  const challenge = `Bearer realm="evo-compute-emulator"${error ? `, error="${error}", error_description="${detail}"` : ''}`;
  return httpProblem(401, 'unauthorized', detail, { headers: { 'www-authenticate': challenge } });
}

function checkAuth(ctx: EmulatorContext, req: IncomingMessage): void {
  const expected = ctx.accessToken;
  if (expected === undefined && ctx.issuer === undefined) return;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '');
  const given = match?.[1];
  if (!given) throw unauthorized('missing or malformed bearer token');
  if (expected !== undefined && sameSecret(given, expected)) return;
  const issued = ctx.issuer?.check(given);
  if (issued === 'valid') return;
  if (issued === 'expired') throw unauthorized('the access token expired', 'invalid_token');
  throw unauthorized('invalid bearer token', 'invalid_token');
}

function sentPreviewOptIn(req: IncomingMessage): boolean {
  const value = req.headers['api-preview'];
  return typeof value === 'string' && value.trim().toLowerCase() === 'opt-in';
}

function spell(ctx: EmulatorContext, status: JobStatus): string {
  if (ctx.cancelSpelling === 'canceled') {
    if (status === 'cancelling') return 'canceling';
    if (status === 'cancelled') return 'canceled';
  }
  return status;
}

function json(status: number, value: unknown): Reply {
  return { status, ...jsonResponse(value) };
}

async function submit(
  ctx: EmulatorContext,
  req: IncomingMessage,
  route: ApiRoute,
  task: TaskImplementation,
  preview: boolean,
): Promise<Reply> {
  const raw = await readBody(req, MAX_BODY_BYTES);
  if (raw === 'too-large') {
    throw httpProblem(413, 'content-too-large', `request body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  let body: unknown;
  ctx.bodies.set(req, raw.toString('utf8'));
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw httpProblem(400, 'invalid-json', 'request body is not valid JSON');
  }
  if (!isJsonObject(body)) throw httpProblem(400, 'invalid-request', 'request body must be a JSON object');
  if (!isJsonObject(body.parameters)) {
    throw httpProblem(400, 'invalid-request', 'request body must have a "parameters" JSON object');
  }
  const parameters = body.parameters;
  const plan = await task.plan(parameters, ctx.taskDurationMs);
  const jobId = randomUUID();
  ctx.jobs.add({
    jobId,
    orgId: route.orgId,
    topic: route.topic,
    task: route.task,
    parameters,
    preview,
    submittedAt: ctx.now(),
    plan,
  });
  const path = `/${routePath({ ...route, kind: 'status', jobId })}`;
  return {
    status: 303,
    headers: { location: ctx.location === 'absolute' ? `${origin(ctx, req)}${path}` : path },
  };
}

/**
 * The origin an absolute `Location` names: the host the client used (its `Host` header), as the
 * service does, so a client that reached the emulator as `localhost` gets `localhost` back (the
 * Python client fails on a Location that does not start with its own base URL).
 */
function origin(ctx: EmulatorContext, req: IncomingMessage): string {
  const host = req.headers.host;
  return host && /^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/.test(host)
    ? `http://${host}`
    : ctx.url;
}

function findJob(ctx: EmulatorContext, route: ApiRoute & { jobId: string }): EmulatedJob {
  const job = ctx.jobs.get(route.jobId);
  if (!job || job.orgId !== route.orgId || job.topic !== route.topic || job.task !== route.task) {
    throw httpProblem(
      404,
      'job-not-found',
      `no job ${route.jobId} for task ${route.topic}/${route.task} in organisation ${route.orgId}`,
    );
  }
  return job;
}

function getStatus(ctx: EmulatorContext, job: EmulatedJob): Reply {
  job.statusRequests += 1;
  const state = jobStateAt(job, ctx.now());
  return json(isOngoing(state.status) ? 202 : 200, {
    status: spell(ctx, state.status),
    progress: state.progress,
    message: state.message,
    error: state.error,
  });
}

function getResults(ctx: EmulatorContext, job: EmulatedJob): Reply {
  job.resultsRequests += 1;
  const state = jobStateAt(job, ctx.now());
  if (isOngoing(state.status)) return json(202, { status: spell(ctx, state.status) });
  return json(200, { status: spell(ctx, state.status), results: state.results, error: state.error });
}

function cancel(ctx: EmulatorContext, job: EmulatedJob): Reply {
  requestCancel(job, ctx.now());
  return { status: 204, headers: {} };
}

async function route(ctx: EmulatorContext, req: IncomingMessage): Promise<Reply> {
  checkAuth(ctx, req);
  const found = parseRoute(req.url ?? '/');
  const method = req.method ?? 'GET';
  const allowed: readonly string[] = ROUTE_METHODS[found.kind];
  if (!allowed.includes(method)) {
    throw httpProblem(
      405,
      'method-not-allowed',
      `${method} is not allowed here; use ${allowed.join(' or ')}`,
      {
        headers: { allow: allowed.join(', ') },
      },
    );
  }
  if (!isUuid(found.orgId))
    throw httpProblem(400, 'invalid-id', `organisation ID is not a UUID: ${found.orgId}`);
  if (found.jobId !== undefined && !isUuid(found.jobId)) {
    throw httpProblem(400, 'invalid-id', `job ID is not a UUID: ${found.jobId}`);
  }
  const normalized = { ...found, orgId: found.orgId.toLowerCase() };
  const task = findTask(found.topic, found.task);
  if (!task) throw httpProblem(404, 'task-not-found', `no task ${found.topic}/${found.task}`);
  const preview = sentPreviewOptIn(req);
  if (task.info.previewOnly && !preview) {
    throw httpProblem(404, 'preview-required', 'task requires API-Preview: opt-in');
  }
  if (normalized.jobId === undefined) return submit(ctx, req, normalized, task, preview);
  const job = findJob(ctx, { ...normalized, jobId: normalized.jobId });
  if (found.kind === 'status') return getStatus(ctx, job);
  return method === 'DELETE' ? cancel(ctx, job) : getResults(ctx, job);
}

function record(ctx: EmulatorContext, req: IncomingMessage, status: number): void {
  const method = req.method ?? '';
  if (method === 'POST' || method === 'GET' || method === 'DELETE') ctx.counts[method] += 1;
  if (ctx.maxRecordedRequests <= 0) return;
  const body = ctx.bodies.get(req);
  ctx.requests.push({
    method,
    path: req.url ?? '',
    headers: flattenHeaders(req),
    status,
    ...(body === undefined ? {} : { body }),
    at: Date.now(),
  });
  if (ctx.requests.length > ctx.maxRecordedRequests) {
    ctx.requests.splice(0, ctx.requests.length - ctx.maxRecordedRequests);
  }
}

async function serve(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let reply: Reply;
  const path = (req.url ?? '/').replace(/[?#].*$/s, '');
  if (ctx.issuer?.owns(path)) {
    try {
      reply = await ctx.issuer.handle(req, path);
    } catch {
      return; // the client went away mid-request
    }
    if (!res.destroyed && !res.headersSent) writeResponse(res, reply.status, reply.headers, reply.body);
    return;
  }
  try {
    reply = await route(ctx, req);
  } catch (err) {
    if (err instanceof HttpProblem) {
      const { headers, body } = problemResponse(err.problem);
      reply = { status: err.problem.status, headers: { ...headers, ...err.headers }, body };
    } else {
      // The client went away mid-request: nobody to answer.
      if (req.socket.destroyed) return;
      const { headers, body } = problemResponse(makeProblem(500, 'internal-error', String(err)));
      reply = { status: 500, headers, body };
    }
  }
  if (res.destroyed || res.headersSent) return;
  record(ctx, req, reply.status);
  writeResponse(res, reply.status, reply.headers, reply.body);
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function checkToken(token: string | undefined): string | undefined {
  if (token !== undefined && token === '')
    throw new RangeError('accessToken must not be empty; use undefined');
  return token;
}

/** Starts a Compute Tasks API emulator on a real HTTP server. */
export async function startComputeEmulator(options: ComputeEmulatorOptions = {}): Promise<ComputeEmulator> {
  const { port = 0, host = '127.0.0.1', maxRecordedRequests = 10_000 } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`invalid port ${port}`);
  if (!Number.isInteger(maxRecordedRequests) || maxRecordedRequests < 0) {
    throw new RangeError(`maxRecordedRequests must be an integer >= 0, got ${maxRecordedRequests}`);
  }
  const ctx: EmulatorContext = {
    url: '',
    accessToken: checkToken(options.accessToken),
    issuer: options.oauth && new EmulatedIssuer(options.oauth, () => ctx.url),
    location: options.location ?? 'absolute',
    cancelSpelling: options.cancelSpelling ?? 'cancelled',
    now: options.now ?? Date.now,
    maxRecordedRequests,
    taskDurationMs: options.taskDurationMs ?? DEFAULT_CATALOGUE_TASK_DURATION_MS,
    bodies: new WeakMap(),
    jobs: new JobStore(),
    requests: [],
    counts: { POST: 0, GET: 0, DELETE: 0 },
  };

  const server = createServer((req, res) => {
    void serve(ctx, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  ctx.url = `http://${urlHost(host)}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url: ctx.url,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
    setAccessToken(token) {
      ctx.accessToken = checkToken(token);
    },
    get tokenStats() {
      return { ...(ctx.issuer?.stats ?? { requests: 0, issued: 0, refused: 0, expiredTokenRefusals: 0 }) };
    },
    revokeTokens() {
      ctx.issuer?.revokeAll();
    },
    get requests() {
      return ctx.requests;
    },
    get counts() {
      return { ...ctx.counts };
    },
    getJob(jobId) {
      const job = ctx.jobs.get(jobId);
      return job && snapshotJob(job, ctx.now());
    },
    jobs() {
      const now = ctx.now();
      return ctx.jobs.all().map((job) => snapshotJob(job, now));
    },
  };
}
