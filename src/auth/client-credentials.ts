/**
 * Machine credentials for Evo: the OAuth 2.0 client-credentials grant, as the Python SDK's
 * `ClientCredentialsAuthorizer` does it (same default issuer, token path and scopes), on
 * `oauth4webapi` for the protocol. The returned provider fetches one token per call; caching,
 * refreshing before expiry and sharing one refresh between requests are the `AccessTokenSource`'s
 * job, so every provider gets them.
 */
import type { AccessTokenGrant } from '../api/access-token';

// oauth4webapi ships as an ES module only; this package is CommonJS, so it is loaded with import().
const loadOAuth = () => import('oauth4webapi');
type OAuth = Awaited<ReturnType<typeof loadOAuth>>;
type AuthorizationServer = Awaited<ReturnType<OAuth['processDiscoveryResponse']>>;

/** The Python SDK's default issuer (`evo.oauth.OAuthConnector`). */
export const DEFAULT_OAUTH_ISSUER = 'https://ims.bentley.com';

/** The Python SDK's default scopes (`EvoScopes.default`: discovery and workspaces). */
export const DEFAULT_OAUTH_SCOPE = 'evo.discovery evo.workspace';

/** Where the SDK posts its token requests when the issuer publishes no discovery document. */
const FIXED_TOKEN_PATH = 'connect/token';

/** How long one discovery or token request may take. */
const TOKEN_REQUEST_TIMEOUT_MS = 30_000;

export interface ClientCredentialsOptions {
  clientId: string;
  /** The secret, or a function returning it (read at every token request, so rotation is picked up). */
  clientSecret: string | (() => string | Promise<string>);
  /** The OAuth issuer. Default `https://ims.bentley.com`, as the Python SDK. */
  issuer?: string;
  /** Space-separated scopes. Default `evo.discovery evo.workspace`, as the Python SDK. */
  scope?: string;
}

/**
 * The token endpoint refused the credentials (`invalid_client`, `unauthorized_client`,
 * `invalid_scope`, …): a configuration problem that retrying will not fix. Its message names the
 * OAuth error and the endpoint, never the secret.
 */
export class TokenRequestRefused extends Error {
  override name = 'TokenRequestRefused';
  constructor(
    readonly error: string,
    readonly tokenEndpoint: string,
    description: string | undefined,
  ) {
    super(
      `the token endpoint ${tokenEndpoint} refused the client: ${error}${description ? ` (${description})` : ''}`,
    );
  }
}

function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * An access-token provider for `createComputeActivities`, `ComputeApiClient` or
 * `createComputeWorker` (`accessToken: clientCredentials({ clientId, clientSecret })`). The issuer
 * is found through its OpenID discovery document, or, when it publishes none, at the SDK's fixed
 * `/connect/token`. Requests go over HTTPS with Node's trust store (`NODE_EXTRA_CA_CERTS` adds a
 * private CA); plain HTTP is allowed only to a loopback issuer (a local emulator).
 */
export function clientCredentials(options: ClientCredentialsOptions): () => Promise<AccessTokenGrant> {
  const clientId = options.clientId?.trim();
  const clientSecret = options.clientSecret;
  if (!clientId) throw new TypeError('clientId must not be empty');
  if (typeof clientSecret !== 'function' && (typeof clientSecret !== 'string' || clientSecret === '')) {
    throw new TypeError('clientSecret must not be empty');
  }
  const issuer = new URL(options.issuer ?? DEFAULT_OAUTH_ISSUER);
  if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && isLoopback(issuer))) {
    throw new TypeError(`the OAuth issuer must be an https URL (http only on loopback), got ${issuer.href}`);
  }
  const scope = options.scope?.trim() || DEFAULT_OAUTH_SCOPE;

  let library: Promise<OAuth> | undefined;
  let server: AuthorizationServer | undefined;

  const requestOptions = (oauth: OAuth) => ({
    signal: () => AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS),
    [oauth.allowInsecureRequests]: issuer.protocol === 'http:',
  });

  /** The issuer's metadata, found once; a failure is retried on the next call. */
  async function discover(oauth: OAuth): Promise<AuthorizationServer> {
    if (server) return server;
    const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...requestOptions(oauth) });
    if (response.status === 404) {
      const base = issuer.href.endsWith('/') ? issuer.href : `${issuer.href}/`;
      server = { issuer: issuer.href, token_endpoint: new URL(FIXED_TOKEN_PATH, base).href };
    } else {
      server = await oauth.processDiscoveryResponse(issuer, response);
    }
    return server;
  }

  return async () => {
    library ??= loadOAuth().catch((err) => {
      library = undefined;
      throw err;
    });
    const oauth = await library;
    const as = await discover(oauth);
    const client = { client_id: clientId };
    const secret = typeof clientSecret === 'function' ? await clientSecret() : clientSecret;
    const requestedAt = Date.now();
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretPost(secret),
      { scope },
      requestOptions(oauth),
    );
    let result: Awaited<ReturnType<OAuth['processClientCredentialsResponse']>>;
    try {
      result = await oauth.processClientCredentialsResponse(as, client, response);
    } catch (err) {
      const endpoint = as.token_endpoint ?? issuer.href;
      if (err instanceof oauth.ResponseBodyError && err.status >= 400 && err.status < 500) {
        throw new TokenRequestRefused(err.error, endpoint, err.error_description);
      }
      // A 401 with a WWW-Authenticate challenge (RFC 6749 §5.2 for a failed client
      // authentication) is reported before its body is read; the body still names the error.
      if (err instanceof oauth.WWWAuthenticateChallengeError) {
        const body = ((await err.response.json().catch(() => undefined)) ?? {}) as {
          error?: unknown;
          error_description?: unknown;
        };
        const error = typeof body?.error === 'string' ? body.error : `HTTP ${err.status}`;
        const description = typeof body?.error_description === 'string' ? body.error_description : undefined;
        throw new TokenRequestRefused(error, endpoint, description);
      }
      throw err;
    }
    return {
      accessToken: result.access_token,
      expiresAt: typeof result.expires_in === 'number' ? requestedAt + result.expires_in * 1000 : undefined,
    };
  };
}
