/**
 * The one way connectors talk HTTP: a fetch wrapper with a base URL, a per-request
 * timeout, JSON or form bodies, an auth header provider, a response parser that never
 * throws on a body that is not JSON, and classification of every failure into a
 * PushError. It does not retry (the engine does, with backoff, across restarts),
 * except once after a 401 when the auth provider says a fresh token may help.
 */
import { invalid } from '../core/errors.js';
import type { JsonValue } from '../core/json.js';
import type { Clock } from '../core/types.js';
import { PushError, pushErrorFromResponse, secretValues, type PushAttempt } from './errors.js';

export const DEFAULT_TIMEOUT_MS = 15_000;
export const SCIM_CONTENT_TYPE = 'application/scim+json';

export interface AuthProvider {
  /** The Authorization header value for the next request (may fetch a token). */
  authorization(): Promise<string>;
  /** The target answered 401 to `value`. True when a fresh credential is worth one retry. */
  refused(value: string): boolean;
}

export interface HttpClientOptions {
  /** e.g. https://example.com/scim/v2; request paths are appended to its path. */
  baseUrl: string;
  clock: Clock;
  auth?: AuthProvider | null;
  timeoutMs?: number;
  /** For tests of code that cannot reach a server; tests here use a real one. */
  fetch?: typeof fetch;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  /** Named in error messages, e.g. "create user". */
  operation: string;
  method: HttpMethod;
  /** Appended to the base URL's path; '' is the base URL itself. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** Sent as application/scim+json. Password-like fields are redacted from anything echoed. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded (OAuth token requests). */
  form?: Record<string, string>;
  /** Sent as given; credentials here belong in `secrets` too. */
  headers?: Record<string, string>;
  /** More values to keep out of error messages (e.g. a client secret sent in a header). */
  secrets?: readonly string[];
  /** Statuses besides 2xx the caller handles itself, e.g. 404 for a lookup. */
  accept?: readonly number[];
}

/** Parsed JSON, the raw text of a body that is not JSON, or null for an empty body. */
export type ResponseBody = JsonValue | string | null;

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: ResponseBody;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'the host name was not found (DNS)',
  EAI_AGAIN: 'the host name could not be resolved right now (DNS)',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  EPIPE: 'the connection was closed while sending',
  UND_ERR_SOCKET: 'the target closed the connection',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
};

/** undici wraps the system error in `cause`, sometimes twice. */
function errorCode(e: unknown): string | null {
  let current: unknown = e;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

function networkError(attempt: PushAttempt, e: unknown, timedOutAfterMs: number | null, reading: boolean): PushError {
  const what = `"${attempt.operation}" (${attempt.method} ${attempt.path})`;
  const code = errorCode(e);
  // A refused certificate does not heal by retrying: it needs an admin.
  if (code !== null && /CERT|SELF_SIGNED|TLS|SSL|UNABLE_TO_(?:VERIFY|GET_ISSUER)/.test(code)) {
    return new PushError('PUSH_TARGET_UNREACHABLE', `The target's TLS certificate was refused for ${what} (${code}). Fix the certificate at the target or the app's base URL.`, { transient: false, operation: attempt.operation, cause: e });
  }
  let why: string;
  if (timedOutAfterMs !== null) why = `no complete answer within ${timedOutAfterMs / 1000} s`;
  else if (reading) why = 'the connection closed before the response was complete';
  else why = (code !== null ? NETWORK_REASONS[code] : undefined) ?? `the request failed${code === null ? '' : ` (${code})`}`;
  return new PushError(
    'PUSH_TARGET_UNREACHABLE',
    `Could not reach the target for ${what}: ${why}. Check the app's base URL and that the target is up; the push will be retried.`,
    { transient: true, operation: attempt.operation, cause: e },
  );
}

async function readBody(res: Response): Promise<ResponseBody> {
  const text = await res.text();
  if (text.trim() === '') return null;
  const type = res.headers.get('content-type') ?? '';
  if (/json/i.test(type) || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      // A body that claims JSON but is not: keep the text, the caller reports it.
    }
  }
  return text;
}

export class HttpClient {
  readonly baseUrl: URL;
  private readonly clock: Clock;
  private readonly auth: AuthProvider | null;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(opts: HttpClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.baseUrl);
    } catch {
      throw invalid('PUSH_URL_INVALID', `"${opts.baseUrl}" is not a valid URL. Give the target's full base URL, e.g. https://example.com/scim/v2.`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw invalid('PUSH_URL_INVALID', `The target URL must use https (or http on a trusted network), not ${url.protocol}`);
    }
    if (url.username !== '' || url.password !== '') {
      // Credentials in a URL end up in logs and messages; they belong in the app's credential.
      throw invalid('PUSH_URL_INVALID', 'The target URL must not contain a user name or password; set the credential on the app instead.');
    }
    url.hash = '';
    this.baseUrl = url;
    this.clock = opts.clock;
    this.auth = opts.auth ?? null;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchFn = opts.fetch ?? fetch;
  }

  urlFor(path: string, query?: HttpRequest['query']): URL {
    const url = new URL(this.baseUrl);
    if (path !== '') url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
    // Percent-encoding throughout (space as %20, not the form-style "+"): SCIM servers
    // that decode queries as URI components would read a "+" in a filter literally.
    const params = Object.entries(query ?? {}).flatMap(([key, value]) =>
      value === undefined ? [] : [`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`],
    );
    if (params.length > 0) url.search = [url.search.replace(/^\?/, ''), ...params].filter((p) => p !== '').join('&');
    return url;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const url = this.urlFor(req.path, req.query);
    // attempt.secrets is this array: the credential actually used is added below.
    const secrets = [...secretValues(req.json), ...secretValues(req.form), ...(req.secrets ?? [])];
    const attempt: PushAttempt = { operation: req.operation, method: req.method, path: url.pathname, secrets };
    let authorization = this.auth === null ? null : await this.auth.authorization();
    let res = await this.send(url, req, attempt, authorization);
    if (res.status === 401 && this.auth !== null && authorization !== null && this.auth.refused(authorization)) {
      authorization = await this.auth.authorization();
      res = await this.send(url, req, attempt, authorization);
    }
    if ((res.status >= 200 && res.status < 300) || req.accept?.includes(res.status)) return res;
    if (authorization !== null) secrets.push(authorization, authorization.replace(/^\S+\s+/, ''));
    throw pushErrorFromResponse(attempt, res.status, res.headers, res.body, this.clock.now());
  }

  private async send(url: URL, req: HttpRequest, attempt: PushAttempt, authorization: string | null): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: `${SCIM_CONTENT_TYPE}, application/json;q=0.9, */*;q=0.1`, 'user-agent': 'idsync' };
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = SCIM_CONTENT_TYPE;
      body = JSON.stringify(req.json);
    } else if (req.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(req.form).toString();
    }
    if (authorization !== null) headers['authorization'] = authorization;
    Object.assign(headers, req.headers);

    const controller = new AbortController();
    let timedOut = false;
    // A real timer, not the injected clock: it bounds real waiting on a socket.
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    timer.unref();
    let reading = false;
    try {
      // Redirects are not followed: fetch would turn a POST into a GET, and a
      // redirect to a SCIM endpoint means the base URL is wrong anyway.
      const res = await this.fetchFn(url, { method: req.method, headers, body, signal: controller.signal, redirect: 'manual' });
      reading = true;
      const parsed = await readBody(res);
      return { status: res.status, headers: res.headers, body: parsed };
    } catch (e) {
      throw networkError(attempt, e, timedOut ? this.timeoutMs : null, reading);
    } finally {
      clearTimeout(timer);
    }
  }
}
