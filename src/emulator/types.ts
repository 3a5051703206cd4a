/**
 * Public types of the Compute Tasks API emulator.
 */
import type { JobStatus } from '../common/types';
import type { TaskDuration } from './tasks';

export interface ComputeEmulatorOptions {
  /** TCP port; `0` (the default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default `'127.0.0.1'`. */
  host?: string;
  /** When set, every request must send `Authorization: Bearer <token>`, else it gets a 401 problem. */
  accessToken?: string;
  /**
   * An OAuth issuer on the same server, for one client: `POST /connect/token` (client-credentials
   * grant) issues tokens that live `tokenLifetimeMs`, and the API accepts them until they expire
   * (then 401 `invalid_token`). With `accessToken` also set, either is accepted.
   */
  oauth?: EmulatorOAuthOptions;
  /** Form of the `Location` header of a submit: `'absolute'` (default) or `'relative'` (`/compute/...`). */
  location?: 'absolute' | 'relative';
  /**
   * How the emulator spells the two cancel states on the wire. The service's schema has both;
   * `'canceled'` makes it report `canceling`/`canceled`. Default `'cancelled'`.
   */
  cancelSpelling?: 'cancelled' | 'canceled';
  /** The clock jobs run on, in milliseconds. Default `Date.now`. Lets time-skipping tests drive job time. */
  now?: () => number;
  /** How many requests `requests` keeps (the oldest are dropped first). Default 10000. */
  maxRecordedRequests?: number;
  /**
   * How long a job of a catalogue task (`geostatistics/kriging`, …) stays `in progress`, in ms: a
   * number, or a function of topic, task and parameters (real parameters carry no duration).
   * Default 2000.
   */
  taskDurationMs?: TaskDuration;
}

export interface EmulatorOAuthOptions {
  clientId: string;
  clientSecret: string;
  /** How long an issued token is accepted. Default one hour; at least one second. */
  tokenLifetimeMs?: number;
  /** Serve `/.well-known/openid-configuration`. Default true; false leaves only `/connect/token`. */
  discovery?: boolean;
}

/** What the emulator's token endpoint saw. */
export interface TokenStats {
  /** Token requests received. */
  requests: number;
  issued: number;
  /** Token requests refused (wrong client or secret, another grant). */
  refused: number;
  /** API requests refused because their token had expired. */
  expiredTokenRefusals: number;
}

/** One request the emulator answered. */
export interface RecordedRequest {
  method: string;
  /** The request target as sent: path and query. */
  path: string;
  /** Request headers, names in lower case (repeated headers joined with `, `). */
  headers: Record<string, string>;
  /** The status code the emulator answered with. */
  status: number;
  /** The request body as received (submits only). */
  body?: string;
  /** When it was answered: wall-clock epoch milliseconds (not the jobs' `now`). */
  at: number;
}

/** What the emulator knows about one job, read at the current emulator time. */
export interface EmulatedJobSnapshot {
  jobId: string;
  orgId: string;
  topic: string;
  task: string;
  /** The parameters as submitted (a copy). */
  parameters: Record<string, unknown>;
  /** The submit sent `API-Preview: opt-in`. */
  preview: boolean;
  /** Canonical spelling, whatever `cancelSpelling` says. */
  status: JobStatus;
  progress: number;
  message: string;
  /** Emulator clock time of the submit, in milliseconds. */
  submittedAt: number;
  /** DELETE requests received for the job. */
  cancelRequests: number;
  /** Status (`GET .../status`) requests received for the job. */
  statusRequests: number;
  /** Results (`GET .../{jobId}`) requests received for the job. */
  resultsRequests: number;
}

export interface RequestCounts {
  POST: number;
  GET: number;
  DELETE: number;
}

export interface ComputeEmulator {
  /** `http://127.0.0.1:PORT`, no trailing slash: the base URL to give clients. */
  readonly url: string;
  /** Closes the server and all its connections, keep-alive ones included. Safe to call twice. */
  close(): Promise<void>;
  /** Turns bearer-token checking on (a token) or off (`undefined`) from the next request on. */
  setAccessToken(token: string | undefined): void;
  /** The issuer's counters (all zero without `oauth`). A copy, taken when read. */
  readonly tokenStats: Readonly<TokenStats>;
  /** Every token issued so far is refused from now on, as after a revocation. */
  revokeTokens(): void;
  /** Requests answered, most recent last, at most `maxRecordedRequests` of them. Live view. */
  readonly requests: readonly RecordedRequest[];
  /** Requests answered per method since the start; never dropped. A copy, taken when read. */
  readonly counts: Readonly<RequestCounts>;
  getJob(jobId: string): EmulatedJobSnapshot | undefined;
  /** All jobs, in submission order. */
  jobs(): EmulatedJobSnapshot[];
}
