import { ComputeFailureType } from '../common/failures';
import { ComputeApiError } from './errors';

/** A token and, when the issuer said so, when it stops being valid. */
export interface AccessTokenGrant {
  accessToken: string;
  /** Epoch milliseconds after which the service refuses the token. Absent: valid until a 401. */
  expiresAt?: number;
}

/**
 * A fixed token, or a function that returns a current one: a plain token (reused until the service
 * answers 401) or an `AccessTokenGrant` (also replaced shortly before it expires).
 * `clientCredentials(…)` is such a function.
 */
export type AccessTokenProvider =
  | string
  | (() => string | AccessTokenGrant | Promise<string | AccessTokenGrant>);

/** What the token source reports, for metrics and logs. Never the token itself. */
export interface AccessTokenObserver {
  /** A new token was obtained from the provider; `reason` says why it was asked for. */
  tokenRefreshed?(reason: AccessTokenRefreshReason): void;
}

export type AccessTokenRefreshReason = 'initial' | 'expiring' | 'unauthorized';

/**
 * How long before its expiry a token is replaced: a tenth of its lifetime, at most a minute. A
 * one-hour token is replaced at 59 minutes, a three-second one at 2.7 s, so a short-lived token is
 * still used for most of its life and no request carries a token about to lapse in flight.
 */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(Math.max(lifetimeMs, 0) / 10, 60_000);
}

/** After a failed refresh, a token that is still valid is used for this long before trying again. */
const RETRY_AFTER_FAILURE_MS = 1_000;

interface HeldToken {
  token: string;
  /** When to replace it (expiry less the margin); `Infinity` for tokens without an expiry. */
  refreshAt: number;
  expiresAt: number;
}

/**
 * Holds the current access token. The provider is asked for a token when there is none, when the
 * held one is about to expire, and once after the service answers 401. Every request that needs a
 * token while one is being fetched waits for that same fetch, so a burst of requests (or of 401s
 * for the same stale token) makes one token request, not hundreds.
 */
export class AccessTokenSource {
  private held?: HeldToken;
  private pending?: Promise<string>;
  private lastFailureAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly provider: AccessTokenProvider,
    private readonly observer: AccessTokenObserver = {},
    private readonly now: () => number = Date.now,
  ) {
    if (typeof provider === 'string' && provider.trim() === '') {
      throw new TypeError('accessToken must not be empty');
    }
  }

  /** Whether a 401 is worth a second try: only a provider function can give a new token. */
  get canRefresh(): boolean {
    return typeof this.provider === 'function';
  }

  get(): Promise<string> {
    if (typeof this.provider === 'string') return Promise.resolve(this.provider);
    if (this.pending) return this.pending;
    const held = this.held;
    const now = this.now();
    if (held && now < held.refreshAt) return Promise.resolve(held.token);
    // A token inside its margin is still good while a recent refresh failed (the issuer is down):
    // keep using it rather than fail requests before the token has actually lapsed.
    if (held && now < held.expiresAt && now - this.lastFailureAt < RETRY_AFTER_FAILURE_MS) {
      return Promise.resolve(held.token);
    }
    return this.startFetch(held ? 'expiring' : 'initial');
  }

  /** A new token, unless another request already replaced `stale`. */
  async refresh(stale: string): Promise<string> {
    if (this.pending) await this.pending.catch(() => undefined);
    if (this.held?.token === stale) {
      this.held = undefined;
      return this.startFetch('unauthorized');
    }
    return this.get();
  }

  private startFetch(reason: AccessTokenRefreshReason): Promise<string> {
    const fetching = this.fetch(reason).finally(() => {
      if (this.pending === fetching) this.pending = undefined;
    });
    this.pending = fetching;
    return fetching;
  }

  private async fetch(reason: AccessTokenRefreshReason): Promise<string> {
    const provider = this.provider;
    if (typeof provider === 'string') return provider;
    const startedAt = this.now();
    let grant: string | AccessTokenGrant;
    try {
      grant = await provider();
    } catch (err) {
      return this.failed(
        `the access token provider failed: ${err instanceof Error ? err.message : String(err)}`,
        err,
      );
    }
    const token = typeof grant === 'string' ? grant : grant?.accessToken;
    if (typeof token !== 'string' || token.trim() === '') {
      return this.failed('the access token provider returned no token');
    }
    const expiresAt = typeof grant === 'string' ? undefined : grant.expiresAt;
    const known = typeof expiresAt === 'number' && Number.isFinite(expiresAt);
    this.held = {
      token,
      expiresAt: known ? expiresAt : Number.POSITIVE_INFINITY,
      refreshAt: known ? expiresAt - refreshMarginMs(expiresAt - startedAt) : Number.POSITIVE_INFINITY,
    };
    this.observer.tokenRefreshed?.(reason);
    return token;
  }

  /** A token that is still valid outlives a failed refresh; otherwise the request fails, retryably. */
  private failed(message: string, cause?: unknown): string {
    this.lastFailureAt = this.now();
    const held = this.held;
    if (held && this.lastFailureAt < held.expiresAt) return held.token;
    throw new ComputeApiError(ComputeFailureType.AccessTokenUnavailable, message, { cause });
  }
}
