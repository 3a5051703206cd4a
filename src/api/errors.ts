import { type ComputeFailureDetails, ComputeFailureType } from '../common/failures';
import type { Problem } from '../common/types';

export interface ComputeApiErrorInit {
  /** HTTP status of the response, when there was one. */
  status?: number;
  /** The problem object of the response body or of the failed job. */
  problem?: Problem;
  /** What the service asked us to wait before trying again (`Retry-After`), in ms. */
  retryAfterMs?: number;
  /**
   * For network errors: whether the request may have reached the service. Decides whether a
   * submit may be retried without the risk of a second job.
   */
  mayHaveReachedService?: boolean;
  /** The body of a response we could not understand, cut short. */
  body?: string;
  cause?: unknown;
}

/**
 * The one error type of the HTTP client. `type` is a stable `ComputeFailureType` code; the
 * activities turn it into an `ApplicationFailure` of the same type.
 */
export class ComputeApiError extends Error {
  override name = 'ComputeApiError';
  readonly type: ComputeFailureType;
  readonly status?: number;
  readonly problem?: Problem;
  readonly retryAfterMs?: number;
  readonly mayHaveReachedService: boolean;
  readonly body?: string;

  constructor(type: ComputeFailureType, message: string, init: ComputeApiErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.type = type;
    this.status = init.status;
    this.problem = init.problem;
    this.retryAfterMs = init.retryAfterMs;
    this.mayHaveReachedService = init.mayHaveReachedService ?? init.status !== undefined;
    this.body = init.body;
  }

  /** The JSON-safe facts carried as the failure's details. */
  toDetails(): ComputeFailureDetails {
    const details: ComputeFailureDetails = {};
    if (this.status !== undefined) details.httpStatus = this.status;
    if (this.problem !== undefined) details.problem = this.problem;
    if (this.retryAfterMs !== undefined) details.retryAfterMs = this.retryAfterMs;
    if (this.body !== undefined) details.body = this.body;
    return details;
  }
}

const BY_STATUS: Readonly<Record<number, ComputeFailureType>> = {
  400: ComputeFailureType.BadRequest,
  401: ComputeFailureType.Unauthorized,
  403: ComputeFailureType.Forbidden,
  404: ComputeFailureType.NotFound,
  410: ComputeFailureType.Gone,
  429: ComputeFailureType.RateLimited,
  // Transient, as the Python SDK 0.0.6 treats them: 408 Request Timeout (the server gave up
  // waiting for the request) and 425 Too Early (it would not risk processing a request that might
  // be replayed). Retried like a 5xx.
  408: ComputeFailureType.ServerError,
  425: ComputeFailureType.ServerError,
};

/** The failure type of an HTTP error status (4xx/5xx). */
export function failureTypeForStatus(status: number): ComputeFailureType {
  const known = BY_STATUS[status];
  if (known) return known;
  if (status >= 500) return ComputeFailureType.ServerError;
  if (status >= 400) return ComputeFailureType.ApiError;
  return ComputeFailureType.UnknownResponse;
}

/** undici/Node error codes after which the request certainly never left this machine. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** undici/Node error codes that mean the network failed (retryable), as opposed to a bug. */
const NETWORK_CODES = new Set([
  ...NOT_SENT_CODES,
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
]);

function errorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A `NetworkError` for a transport failure, or undefined when `err` is not one. */
export function networkError(err: unknown, what: string): ComputeApiError | undefined {
  const code = errorCode(err);
  if (!code) return undefined;
  const message = err instanceof Error ? err.message : String(err);
  return new ComputeApiError(ComputeFailureType.NetworkError, `${what}: ${code}: ${message}`, {
    mayHaveReachedService: !NOT_SENT_CODES.has(code),
    cause: err,
  });
}
