/**
 * The emulator's OAuth side: an issuer with a discovery document and a client-credentials token
 * endpoint for one configured client, issuing opaque short-lived tokens that the API routes check.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { jsonResponse, readBody } from './http';
import type { EmulatorOAuthOptions, TokenStats } from './types';

export const TOKEN_PATH = '/connect/token';
export const DISCOVERY_PATH = '/.well-known/openid-configuration';

/** Token requests are small forms. */
const MAX_FORM_BYTES = 16 * 1024;

interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

export type TokenCheck = 'valid' | 'expired' | 'unknown';

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** RFC 6749 §5.2 error response. */
function oauthError(
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): Reply {
  const { headers: json, body } = jsonResponse({ error, error_description: description });
  return { status, headers: { ...json, 'cache-control': 'no-store', ...headers }, body };
}

export class EmulatedIssuer {
  readonly stats: TokenStats = { requests: 0, issued: 0, refused: 0, expiredTokenRefusals: 0 };
  /** token → expiry (epoch ms, wall clock: tokens live in real time even when jobs do not). */
  private readonly tokens = new Map<string, number>();
  private readonly lifetimeMs: number;

  constructor(
    private readonly options: EmulatorOAuthOptions,
    private readonly url: () => string,
  ) {
    this.lifetimeMs = options.tokenLifetimeMs ?? 3_600_000;
    if (!options.clientId || !options.clientSecret)
      throw new RangeError('oauth needs a clientId and a clientSecret');
    if (!Number.isFinite(this.lifetimeMs) || this.lifetimeMs < 1_000) {
      throw new RangeError(`oauth.tokenLifetimeMs must be at least 1000, got ${this.lifetimeMs}`);
    }
  }

  /** Whether this request is for the issuer rather than the API; then `handle` answers it. */
  owns(path: string): boolean {
    return path === TOKEN_PATH || path === DISCOVERY_PATH;
  }

  async handle(req: IncomingMessage, path: string): Promise<Reply> {
    if (path === DISCOVERY_PATH) {
      if (this.options.discovery === false) return { status: 404, headers: {} };
      if (req.method !== 'GET') return { status: 405, headers: { allow: 'GET' } };
      return {
        status: 200,
        ...jsonResponse({
          issuer: this.url(),
          token_endpoint: `${this.url()}${TOKEN_PATH}`,
          grant_types_supported: ['client_credentials'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        }),
      };
    }
    if (req.method !== 'POST') return { status: 405, headers: { allow: 'POST' } };
    this.stats.requests += 1;
    const raw = await readBody(req, MAX_FORM_BYTES);
    if (raw === 'too-large') return oauthError(400, 'invalid_request', 'request body too large');
    const form = new URLSearchParams(raw.toString('utf8'));
    let clientId = form.get('client_id') ?? '';
    let clientSecret = form.get('client_secret') ?? '';
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (basic?.[1]) {
      const [id = '', secret = ''] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id);
      clientSecret = decodeURIComponent(secret);
    }
    if (form.get('grant_type') !== 'client_credentials') {
      this.stats.refused += 1;
      return oauthError(400, 'unsupported_grant_type', 'only client_credentials is supported');
    }
    if (!same(clientId, this.options.clientId) || !same(clientSecret, this.options.clientSecret)) {
      this.stats.refused += 1;
      return oauthError(401, 'invalid_client', 'unknown client or wrong secret', {
        'www-authenticate': 'Basic realm="evo-compute-emulator"',
      });
    }
    const now = Date.now();
    // Forget long-expired tokens (they are then merely unknown, still refused).
    for (const [old, expiresAt] of this.tokens) if (expiresAt < now - 60_000) this.tokens.delete(old);
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, now + this.lifetimeMs);
    this.stats.issued += 1;
    const { headers, body } = jsonResponse({
      access_token: token,
      token_type: 'Bearer',
      expires_in: this.lifetimeMs / 1000,
      scope: form.get('scope') ?? '',
    });
    return { status: 200, headers: { ...headers, 'cache-control': 'no-store' }, body };
  }

  /** Checks a bearer token an API request sent. */
  check(token: string): TokenCheck {
    const expiresAt = this.tokens.get(token);
    if (expiresAt === undefined) return 'unknown';
    if (Date.now() >= expiresAt) {
      this.stats.expiredTokenRefusals += 1;
      return 'expired';
    }
    return 'valid';
  }

  /** Every issued token is refused from now on (a revoked grant, a key rotation). */
  revokeAll(): void {
    this.tokens.clear();
  }
}
