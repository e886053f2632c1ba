/**
 * Credentials for a SCIM target: a static bearer token, or OAuth 2.0 client
 * credentials (RFC 6749 section 4.4). The OAuth provider is the only state a SCIM
 * client keeps: the access token, cached until 30 s before it expires so a request
 * never leaves with a token about to lapse in flight.
 */
import type { Clock } from '../../core/types.js';
import { PushError, targetMessageOf } from '../errors.js';
import { HttpClient, type AuthProvider } from '../http.js';

export type ScimCredential =
  | { type: 'bearer'; token: string }
  | {
      type: 'oauth2';
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      scope?: string | null;
      /** How the client authenticates to the token endpoint (RFC 6749 2.3.1); default basic, which servers must support. */
      clientAuth?: 'basic' | 'post';
    };

export interface AuthOptions {
  clock: Clock;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class BearerAuth implements AuthProvider {
  private readonly header: string;

  constructor(token: string) {
    this.header = `Bearer ${token}`;
  }

  authorization(): Promise<string> {
    return Promise.resolve(this.header);
  }

  /** A static token cannot be refreshed: a retry would only be refused again. */
  refused(): boolean {
    return false;
  }
}

/** Refresh this long before expiry, so the token cannot lapse between send and check. */
export const TOKEN_EXPIRY_MARGIN_MS = 30_000;

/** Errors of RFC 6749 section 5.2 that mean the configured client or scope is wrong. */
const CLIENT_ERRORS = new Set(['invalid_client', 'unauthorized_client', 'invalid_grant', 'invalid_scope', 'unsupported_grant_type', 'invalid_request']);

const OPERATION = 'get an OAuth access token';

interface CachedToken {
  header: string;
  /** Epoch ms after which the token is fetched again. */
  refreshAt: number;
}

export class OAuthClientCredentials implements AuthProvider {
  private readonly http: HttpClient;
  private readonly clock: Clock;
  private cached: CachedToken | null = null;
  // Single flight: concurrent jobs that find no token share one token request.
  private pending: Promise<string> | null = null;

  constructor(
    private readonly credential: Extract<ScimCredential, { type: 'oauth2' }>,
    opts: AuthOptions,
  ) {
    this.clock = opts.clock;
    this.http = new HttpClient({ baseUrl: credential.tokenUrl, clock: opts.clock, timeoutMs: opts.timeoutMs, fetch: opts.fetch });
  }

  authorization(): Promise<string> {
    if (this.cached !== null && this.clock.now().getTime() < this.cached.refreshAt) return Promise.resolve(this.cached.header);
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** The target refused `value`: drop it if it is still the cached one; one retry with a new token is worth it. */
  refused(value: string): boolean {
    if (this.cached?.header === value) this.cached = null;
    return true;
  }

  /** Forgets the cached token (e.g. after the credential was updated). */
  invalidate(): void {
    this.cached = null;
  }

  private async fetchToken(): Promise<string> {
    const { clientId, clientSecret, scope } = this.credential;
    const form: Record<string, string> = { grant_type: 'client_credentials' };
    if (scope) form['scope'] = scope;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.credential.clientAuth === 'post') {
      form['client_id'] = clientId;
      form['client_secret'] = clientSecret;
    } else {
      // RFC 6749 2.3.1: id and secret are form-encoded before Basic encoding.
      const basic = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
      headers['authorization'] = `Basic ${Buffer.from(basic).toString('base64')}`;
    }
    const secrets = [clientSecret, headers['authorization'] ?? ''];
    const res = await this.http.request({ operation: OPERATION, method: 'POST', path: '', form, headers, secrets, accept: [400] });
    const path = this.http.baseUrl.pathname;
    const body = typeof res.body === 'object' && res.body !== null && !Array.isArray(res.body) ? res.body : {};
    if (res.status === 400) {
      const targetMessage = targetMessageOf(res.body, secrets);
      const error = typeof body['error'] === 'string' ? body['error'] : null;
      const hint = error !== null && CLIENT_ERRORS.has(error) ? '' : ' (or check the token URL)';
      throw new PushError(
        'PUSH_AUTH_REJECTED',
        `The token endpoint refused the app's OAuth client credentials for "${OPERATION}" (POST ${path}) with HTTP 400${targetMessage === null ? '' : `: ${targetMessage}`}. ` +
          `Update the client id, secret or scope with \`idsync app update\`${hint}.`,
        { transient: false, httpStatus: 400, targetMessage, operation: OPERATION },
      );
    }
    const token = body['access_token'];
    if (typeof token !== 'string' || token === '') {
      throw new PushError(
        'PUSH_AUTH_REJECTED',
        `The token endpoint answered "${OPERATION}" (POST ${path}) with HTTP ${res.status} but no access_token. Check the app's token URL with \`idsync app update\`: it must be the OAuth 2.0 token endpoint.`,
        { transient: false, httpStatus: res.status, operation: OPERATION },
      );
    }
    const header = `Bearer ${token}`;
    this.cached = { header, refreshAt: this.refreshAt(body['expires_in']) };
    return header;
  }

  private refreshAt(expiresIn: unknown): number {
    const now = this.clock.now().getTime();
    const seconds = typeof expiresIn === 'string' ? Number(expiresIn) : expiresIn;
    // Without a lifetime the token is kept until the target refuses it (then refused() drops it).
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return Number.POSITIVE_INFINITY;
    const lifetime = seconds * 1000;
    // A very short-lived token would be stale at once with a 30 s margin: use half its life.
    return now + (lifetime > 2 * TOKEN_EXPIRY_MARGIN_MS ? lifetime - TOKEN_EXPIRY_MARGIN_MS : lifetime / 2);
  }
}

export function createScimAuth(credential: ScimCredential, opts: AuthOptions): AuthProvider {
  return credential.type === 'bearer' ? new BearerAuth(credential.token) : new OAuthClientCredentials(credential, opts);
}
