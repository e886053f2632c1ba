/**
 * Credentials for a target hub org's /api/v1: an API token (`SSWS`), or an OAuth
 * 2.0 service app at the target: client_credentials with a private_key_jwt
 * assertion (RFC 7523) signed with the source's current key, DPoP-bound tokens
 * (RFC 9449) with a fresh proof per request, `use_dpop_nonce` answered once with
 * the server's nonce, and the token cached until shortly before it expires.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Clock } from '../../core/types.js';
import { accessTokenHash } from '../../crypto/jwt.js';
import { PushError, targetMessageOf } from '../errors.js';
import { HttpClient } from '../http.js';

/** A token is refreshed this long before it expires, so none lapses in flight. */
export const TOKEN_MARGIN_MS = 30_000;
const ASSERTION_TTL_S = 300;
const OPERATION = 'get an OAuth access token';

export interface SigningKey {
  kid: string;
  alg: string;
  key: CryptoKey;
}

export type HubCredential =
  | { type: 'ssws'; token: string }
  | { type: 'private_key_jwt'; tokenUrl: string; clientId: string; scope: string; signingKey: () => Promise<SigningKey> };

/** Headers for one request, and what to do when the target answers 401. */
export interface RequestAuth {
  headers(method: string, url: string): Promise<Record<string, string>>;
  /** True when one retry with fresh headers may succeed (a nonce was asked for, or the token was refused). */
  refused(headers: Headers, sent: Record<string, string>): boolean;
}

export class SswsAuth implements RequestAuth {
  constructor(private readonly token: string) {}
  headers(): Promise<Record<string, string>> {
    return Promise.resolve({ authorization: `SSWS ${this.token}` });
  }
  refused(): boolean {
    return false;
  }
}

interface Token {
  value: string;
  type: string;
  refreshAt: number;
}

export class PrivateKeyJwtDpopAuth implements RequestAuth {
  private readonly http: HttpClient;
  private token: Token | null = null;
  private pending: Promise<Token> | null = null;
  private nonce: string | null = null;
  private dpopKey: Promise<{ privateKey: CryptoKey; jwk: JWK }> | null = null;

  constructor(
    private readonly cred: Extract<HubCredential, { type: 'private_key_jwt' }>,
    private readonly clock: Clock,
    opts: { timeoutMs?: number; fetch?: typeof fetch } = {},
  ) {
    this.http = new HttpClient({ baseUrl: cred.tokenUrl, clock, timeoutMs: opts.timeoutMs, fetch: opts.fetch });
  }

  async headers(method: string, url: string): Promise<Record<string, string>> {
    const token = await this.accessToken();
    if (token.type.toLowerCase() !== 'dpop') return { authorization: `Bearer ${token.value}` };
    return { authorization: `DPoP ${token.value}`, dpop: await this.proof(method, url, token.value) };
  }

  refused(headers: Headers, sent: Record<string, string>): boolean {
    const challenge = headers.get('www-authenticate') ?? '';
    const nonce = headers.get('dpop-nonce');
    if (/use_dpop_nonce/.test(challenge) && nonce) {
      this.nonce = nonce;
      return true;
    }
    // The token was refused (revoked, signing key retired at the target): one new token is worth it.
    if (this.token !== null && sent['authorization']?.endsWith(this.token.value)) this.token = null;
    return true;
  }

  /** The ephemeral key DPoP proofs are signed with; tokens are bound to it. */
  private key(): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
    this.dpopKey ??= (async () => {
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      return { privateKey, jwk: await exportJWK(publicKey) };
    })();
    return this.dpopKey;
  }

  private async proof(htm: string, url: string, accessToken?: string): Promise<string> {
    const { privateKey, jwk } = await this.key();
    const u = new URL(url);
    const claims: Record<string, unknown> = { htm, htu: `${u.protocol}//${u.host}${u.pathname}`, jti: randomUUID() };
    if (accessToken !== undefined) claims['ath'] = accessTokenHash(accessToken);
    if (this.nonce !== null) claims['nonce'] = this.nonce;
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).setIssuedAt(Math.floor(this.clock.now().getTime() / 1000)).sign(privateKey);
  }

  private accessToken(): Promise<Token> {
    if (this.token !== null && this.clock.now().getTime() < this.token.refreshAt) return Promise.resolve(this.token);
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async assertion(): Promise<string> {
    const { kid, alg, key } = await this.cred.signingKey();
    const now = Math.floor(this.clock.now().getTime() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg, kid })
      .setIssuer(this.cred.clientId)
      .setSubject(this.cred.clientId)
      .setAudience(this.cred.tokenUrl)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + ASSERTION_TTL_S)
      .sign(key);
  }

  private async fetchToken(): Promise<Token> {
    for (let attempt = 0; ; attempt++) {
      const assertion = await this.assertion();
      const form = {
        grant_type: 'client_credentials',
        scope: this.cred.scope,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      };
      const dpop = await this.proof('POST', this.cred.tokenUrl);
      const res = await this.http.request({ operation: OPERATION, method: 'POST', path: '', form, headers: { accept: 'application/json', dpop }, secrets: [assertion, dpop], accept: [400, 401] });
      const body = typeof res.body === 'object' && res.body !== null && !Array.isArray(res.body) ? res.body : {};
      const nonce = res.headers.get('dpop-nonce');
      if (nonce) this.nonce = nonce;
      if (res.status === 400 && body['error'] === 'use_dpop_nonce' && nonce && attempt === 0) continue;
      if (res.status !== 200 || typeof body['access_token'] !== 'string') {
        const targetMessage = targetMessageOf(res.body, [assertion, dpop]);
        throw new PushError(
          'PUSH_AUTH_REJECTED',
          `The target's token endpoint (POST ${this.http.baseUrl.pathname}) refused the service app ${this.cred.clientId} with HTTP ${res.status}${targetMessage === null ? '' : `: ${targetMessage}`}. ` +
            "Check at the target that the service app exists, is granted the scopes, and has this hub's JWKS URL as its jwks_uri; then retry the task.",
          { transient: false, httpStatus: res.status, targetMessage, operation: OPERATION },
        );
      }
      const expiresIn = typeof body['expires_in'] === 'number' ? body['expires_in'] * 1000 : 300_000;
      const lifetime = expiresIn > 2 * TOKEN_MARGIN_MS ? expiresIn - TOKEN_MARGIN_MS : expiresIn / 2;
      this.token = { value: body['access_token'], type: typeof body['token_type'] === 'string' ? body['token_type'] : 'Bearer', refreshAt: this.clock.now().getTime() + lifetime };
      return this.token;
    }
  }
}

export function createHubAuth(cred: HubCredential, clock: Clock, opts: { timeoutMs?: number; fetch?: typeof fetch } = {}): RequestAuth {
  return cred.type === 'ssws' ? new SswsAuth(cred.token) : new PrivateKeyJwtDpopAuth(cred, clock, opts);
}
