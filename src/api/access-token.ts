import { ComputeFailureType } from '../common/failures';
import { ComputeApiError } from './errors';

/** A fixed token, or a function that returns a current one (called again after a 401). */
export type AccessTokenProvider = string | (() => string | Promise<string>);

/**
 * Holds the current access token. A provider function is called once and its token reused until
 * the service answers 401; then it is called once more, shared by every request that saw the same
 * stale token, so that a burst of 401s makes one refresh and not hundreds.
 */
export class AccessTokenSource {
  private current?: Promise<string>;

  constructor(private readonly provider: AccessTokenProvider) {
    if (typeof provider === 'string' && provider.trim() === '') {
      throw new TypeError('accessToken must not be empty');
    }
  }

  /** Whether a 401 is worth a second try: only a provider function can give a new token. */
  get canRefresh(): boolean {
    return typeof this.provider === 'function';
  }

  get(): Promise<string> {
    this.current ??= this.fetch();
    return this.current;
  }

  /** A new token, unless another request already replaced `stale`. */
  async refresh(stale: string): Promise<string> {
    const held = await this.get().catch(() => undefined);
    if (held === stale) this.current = this.fetch();
    return this.get();
  }

  private async fetch(): Promise<string> {
    const provider = this.provider;
    if (typeof provider === 'string') return provider;
    let token: string;
    try {
      token = await provider();
    } catch (err) {
      this.current = undefined;
      throw new ComputeApiError(
        ComputeFailureType.AccessTokenUnavailable,
        `the access token provider failed: ${err}`,
        {
          cause: err,
        },
      );
    }
    if (typeof token !== 'string' || token.trim() === '') {
      this.current = undefined;
      throw new ComputeApiError(
        ComputeFailureType.AccessTokenUnavailable,
        'the access token provider returned no token',
      );
    }
    return token;
  }
}
