/**
 * What the OAuth tests share: a hub on loopback with a manual clock, client key
 * pairs made with jose, signed client assertions and DPoP proofs, the token
 * request over real HTTP, and a small JWKS server (node:http) whose key set a
 * test changes to rotate keys.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { manualClock, type ManualClock } from '../../src/core/clock.js';
import { accessTokenHash } from '../../src/crypto/jwt.js';
import { OAuthClientService, type OAuthClientInput } from '../../src/services/oauth/clients.js';
import type { OAuthClient } from '../../src/store/oauth.js';
import { startHub, type Hub, type Json } from '../helpers/hub.js';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface KeyPair {
  alg: 'RS256' | 'ES256' | 'PS256' | 'EdDSA';
  kid: string;
  privateKey: CryptoKey;
  /** The public JWK with kid and alg, as a client registers it. */
  publicJwk: JWK;
  /** The private JWK, for tests that register one by mistake. */
  privateJwk: JWK;
  /** RFC 7638 thumbprint of the public key. */
  jkt: string;
}

export async function keyPair(alg: KeyPair['alg'], kid = `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`): Promise<KeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const bare = await exportJWK(publicKey);
  return { alg, kid, privateKey, publicJwk: { ...bare, kid, alg, use: 'sig' }, privateJwk: { ...(await exportJWK(privateKey)), kid, alg }, jkt: await calculateJwkThumbprint(bare) };
}

export interface OAuthHub {
  hub: Hub;
  clock: ManualClock;
  tokenUrl: string;
  /** Registers a service app in the hub's first org. */
  client(input: Partial<OAuthClientInput> & { jwks?: unknown; jwksUri?: string }): Promise<OAuthClient>;
  clients: OAuthClientService;
  close(): Promise<void>;
}

export async function startOAuthHub(orgs: string[] = ['acme']): Promise<OAuthHub> {
  const clock = manualClock(new Date());
  const hub = await startHub({ orgs, clock, logLevel: 'debug' });
  const clients = new OAuthClientService(hub.app.ctx, hub.orgs[0]!.org);
  return {
    hub,
    clock,
    tokenUrl: `${hub.url}/oauth2/v1/token`,
    clients,
    client: (input) => clients.create({ name: 'svc', scopes: ['okta.users.read', 'okta.groups.manage'], ...input } as OAuthClientInput, 'test'),
    close: () => hub.close(),
  };
}

const seconds = (clock: ManualClock): number => Math.floor(clock.now().getTime() / 1000);

export interface AssertionOptions {
  aud?: string;
  iss?: string;
  sub?: string;
  jti?: string;
  /** Seconds from the clock's now; default 300. */
  expIn?: number;
  iat?: number;
  kid?: string | null;
}

/** A client assertion (RFC 7523) signed with the key, times taken from the hub's clock. */
export async function assertion(o: OAuthHub, clientId: string, key: KeyPair, opts: AssertionOptions = {}): Promise<string> {
  const now = seconds(o.clock);
  const header: { alg: string; kid?: string } = { alg: key.alg };
  if (opts.kid !== null) header.kid = opts.kid ?? key.kid;
  return new SignJWT({ jti: opts.jti ?? randomUUID() })
    .setProtectedHeader(header)
    .setIssuer(opts.iss ?? clientId)
    .setSubject(opts.sub ?? clientId)
    .setAudience(opts.aud ?? o.tokenUrl)
    .setIssuedAt(opts.iat ?? now)
    .setExpirationTime(now + (opts.expIn ?? 300))
    .sign(key.privateKey);
}

export interface ProofOptions {
  htm?: string;
  htu?: string;
  jti?: string;
  iat?: number;
  nonce?: string;
  /** The access token whose hash goes into `ath`. */
  accessToken?: string;
  /** Set `ath` to exactly this. */
  ath?: string;
  typ?: string;
}

/** A DPoP proof (RFC 9449) signed with the key, its public JWK in the header. */
export async function proof(o: OAuthHub, key: KeyPair, opts: ProofOptions = {}): Promise<string> {
  const claims: Record<string, unknown> = { htm: opts.htm ?? 'POST', htu: opts.htu ?? o.tokenUrl, jti: opts.jti ?? randomUUID(), iat: opts.iat ?? seconds(o.clock) };
  if (opts.nonce !== undefined) claims['nonce'] = opts.nonce;
  if (opts.accessToken !== undefined) claims['ath'] = accessTokenHash(opts.accessToken);
  if (opts.ath !== undefined) claims['ath'] = opts.ath;
  const { kid: _kid, alg: _alg, use: _use, ...jwk } = key.publicJwk;
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, typ: opts.typ ?? 'dpop+jwt', jwk }).sign(key.privateKey);
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: Json;
  text: string;
}

/** POST /oauth2/v1/token with a form body (or a raw body and content type). */
export async function tokenRequest(o: OAuthHub, form: Record<string, string> | string, headers: Record<string, string> = {}): Promise<HttpResult> {
  const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  const res = await fetch(o.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
  const text = await res.text();
  let parsed: Json;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export function form(clientAssertion: string, scope = 'okta.users.read', extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: 'client_credentials', scope, client_assertion_type: JWT_BEARER, client_assertion: clientAssertion, ...extra };
}

/** The current DPoP nonce: what a first, nonce-less token request is told to use. */
export async function fetchNonce(o: OAuthHub, client: OAuthClient, key: KeyPair, dpopKey: KeyPair): Promise<string> {
  const res = await tokenRequest(o, form(await assertion(o, client.id, key)), { dpop: await proof(o, dpopKey) });
  if (res.status !== 400 || res.body?.error !== 'use_dpop_nonce') throw new Error(`expected use_dpop_nonce, got ${res.status} ${res.text}`);
  return res.headers.get('dpop-nonce') as string;
}

/** A DPoP-bound access token for a client, going through the nonce round trip. */
export async function dpopToken(o: OAuthHub, client: OAuthClient, key: KeyPair, dpopKey: KeyPair, scope = 'okta.users.read'): Promise<string> {
  const nonce = await fetchNonce(o, client, key, dpopKey);
  const res = await tokenRequest(o, form(await assertion(o, client.id, key), scope), { dpop: await proof(o, dpopKey, { nonce }) });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.text}`);
  return res.body.access_token as string;
}

/** The OAuth error shape, and nothing of the request echoed. */
export function isOAuthErrorBody(body: Json, secrets: string[] = []): boolean {
  if (body === null || typeof body !== 'object') return false;
  const keys = Object.keys(body).sort().join(',');
  if (keys !== 'error,error_description') return false;
  if (typeof body.error !== 'string' || typeof body.error_description !== 'string') return false;
  return secrets.every((s) => !body.error_description.includes(s));
}

export interface JwksServer {
  uri: string;
  keys: JWK[];
  /** How many times the set was fetched. */
  fetches: number;
  /** Answer with this status instead of the set. */
  failWith: number | null;
  close(): Promise<void>;
}

/** A client's JWKS endpoint on loopback; change `keys` to rotate. */
export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  const state: JwksServer = {
    uri: '',
    keys,
    fetches: 0,
    failWith: null,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((_req, res) => {
    state.fetches++;
    if (state.failWith !== null) {
      res.writeHead(state.failWith).end('nope');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  return state;
}
