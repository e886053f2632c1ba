/**
 * A fault-injecting SCIM 2.0 target for provisioning tests: a node:http server on
 * 127.0.0.1 port 0 with Users and Groups in memory (create, get, `attr eq "v"`
 * filters, paging, PUT, PATCH, DELETE) and a queue of programmed faults: HTTP
 * errors (with Retry-After or a SCIM detail), responses that never come (beyond
 * the client's timeout), dropped connections before or after the request took
 * effect, and holds the test releases by hand to interleave work deterministically.
 *
 * Every request is recorded (method, path, filter, body with any password replaced
 * by a marker) so tests assert exactly what was sent and how often. Passwords are
 * never stored: only a fingerprint (see passwordMarker) per account.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** What a recorded body shows instead of a password: a fingerprint tests can compute too. */
export function passwordMarker(password: string): string {
  return `[password ${createHash('sha256').update(password).digest('hex').slice(0, 12)}]`;
}

export type Resource = Record<string, unknown> & { id: string };

export interface RecordedRequest {
  /** 1-based arrival order. */
  n: number;
  method: string;
  /** Path without the query, e.g. /scim/v2/Users/u1. */
  path: string;
  /** The `filter` query parameter, if any. */
  filter: string | null;
  /** Parsed JSON body with every password replaced by passwordMarker(password); undefined when empty. */
  body: any;
  /** Requests (this one included) in progress when it arrived. */
  concurrent: number;
  /** The fault that answered it, or 'ok'. */
  outcome: string;
  /** Status sent; null when the connection was dropped or the client gave up. */
  status: number | null;
}

export type Fault =
  /** Answer with this status: a SCIM error body with `detail`, and Retry-After (seconds) when given. */
  | { kind: 'status'; status: number; detail?: string; scimType?: string; retryAfter?: number }
  /** Never answer (beyond any client timeout); with `applied` the request still takes effect first. */
  | { kind: 'slow'; applied?: boolean }
  /** Destroy the socket; with `applied` after the request took effect (a lost response). */
  | { kind: 'drop'; applied?: boolean };

export type Match = (req: { method: string; path: string; filter: string | null; search: URLSearchParams }) => boolean;

export interface Hold {
  /** Resolves when a matching request arrived and is being held. */
  arrived: Promise<RecordedRequest>;
  /** Lets the held request proceed: normally, or answered with a fault. */
  release(then?: Fault): void;
}

export interface FaultTarget {
  /** http://127.0.0.1:PORT/scim/v2 */
  baseUrl: string;
  token: string;
  users: Map<string, Resource>;
  groups: Map<string, Resource>;
  requests: RecordedRequest[];
  /** The fingerprint of the last password each account received (passwordMarker form). */
  passwordOf(id: string): string | null;
  /** Answers the next `n` matching requests with `fault`. */
  fail(n: number, fault: Fault, match?: Match): void;
  /** Holds the next matching request until released. */
  hold(match?: Match): Hold;
  /** Drops all queued faults (held requests stay held). */
  clearFaults(): void;
  /** Number of faults still queued. */
  pendingFaults(): number;
  /** Adds an account directly (an account that existed before the hub). */
  seedUser(body: Record<string, unknown>): Resource;
  userByName(userName: string): Resource | undefined;
  /** Requests of one method (and optionally a path prefix). */
  count(method: string, pathPrefix?: string): number;
  close(): Promise<void>;
}

const lower = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v);

const TERM = /([\w.]+) eq "((?:[^"\\]|\\.)*)"/y;

/**
 * `attr eq "value"` on userName (case-insensitive, as SCIM defines it), externalId,
 * displayName, emails.value; and such terms joined by `or` unless the target was
 * made without OR support.
 */
function matchesFilter(r: Resource, filter: string, orFilters = true): boolean | 'unsupported' {
  const terms: [string, string][] = [];
  let at = 0;
  for (;;) {
    TERM.lastIndex = at;
    const m = TERM.exec(filter);
    if (m === null) return 'unsupported';
    terms.push([m[1] as string, JSON.parse(`"${m[2] ?? ''}"`) as string]);
    at = TERM.lastIndex;
    if (at === filter.length) break;
    if (!orFilters || !filter.startsWith(' or ', at)) return 'unsupported';
    at += 4;
  }
  let any = false;
  for (const [attr, value] of terms) {
    const ok = matchesTerm(r, attr, value);
    if (ok === 'unsupported') return ok;
    any ||= ok;
  }
  return any;
}

function matchesTerm(r: Resource, attr: string, value: string): boolean | 'unsupported' {
  switch (attr) {
    case 'userName':
    case 'displayName':
      return lower(r[attr]) === value.toLowerCase();
    case 'externalId':
    case 'id':
      return r[attr] === value;
    case 'emails.value':
      return Array.isArray(r['emails']) && r['emails'].some((e) => typeof e === 'object' && e !== null && lower((e as { value?: unknown }).value) === value.toLowerCase());
    default:
      return 'unsupported';
  }
}

/** A deep copy with every `password` member (and PATCH `{path: "password", value}`) replaced by its marker. */
function masked(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(masked);
  if (typeof value !== 'object' || value === null) return value;
  const o = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'password' && typeof v === 'string') out[k] = passwordMarker(v);
    else if (k === 'value' && o['path'] === 'password' && typeof v === 'string') out[k] = passwordMarker(v);
    else out[k] = masked(v);
  }
  return out;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/scim+json', ...headers });
  res.end(JSON.stringify(body));
}

function scimError(res: ServerResponse, status: number, detail: string, scimType?: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { schemas: [ERROR_SCHEMA], status: String(status), detail, ...(scimType ? { scimType } : {}) }, headers);
}

export async function startFaultTarget(opts: { token?: string; orFilters?: boolean } = {}): Promise<FaultTarget> {
  const token = opts.token ?? 'fault-target-token';
  const users = new Map<string, Resource>();
  const groups = new Map<string, Resource>();
  const passwords = new Map<string, string>();
  const requests: RecordedRequest[] = [];
  const faults: { fault: Fault; match: Match }[] = [];
  const holds: { match: Match; arrived: (r: RecordedRequest) => void; gate: Promise<Fault | undefined> }[] = [];
  let next = 1;
  let inProgress = 0;

  const storeFor = (kind: string) => (kind === 'Users' ? users : kind === 'Groups' ? groups : null);

  /** Performs the request on the in-memory resources; returns the response to send. */
  function apply(method: string, kind: string, id: string | undefined, url: URL, body: Record<string, unknown>): { status: number; body?: unknown; error?: [string, string?] } {
    const store = storeFor(kind);
    if (store === null) return { status: 404, error: [`No endpoint ${kind}`] };
    if (method === 'GET' && id === undefined) {
      let all = [...store.values()];
      const filter = url.searchParams.get('filter');
      if (filter !== null) {
        const out: Resource[] = [];
        for (const r of all) {
          const ok = matchesFilter(r, filter, opts.orFilters ?? true);
          if (ok === 'unsupported') return { status: 400, error: [`Unsupported filter ${filter}`, 'invalidFilter'] };
          if (ok) out.push(r);
        }
        all = out;
      }
      const start = Math.max(1, Number(url.searchParams.get('startIndex') ?? '1'));
      const count = Number(url.searchParams.get('count') ?? '100');
      const page = all.slice(start - 1, start - 1 + count);
      return { status: 200, body: { schemas: [LIST_SCHEMA], totalResults: all.length, startIndex: start, itemsPerPage: page.length, Resources: page } };
    }
    if (method === 'POST' && id === undefined) {
      const unique = kind === 'Users' ? 'userName' : 'displayName';
      if (typeof body[unique] !== 'string' || body[unique] === '') return { status: 400, error: [`Attribute '${unique}' is required`, 'invalidValue'] };
      if ([...store.values()].some((r) => lower(r[unique]) === lower(body[unique]))) return { status: 409, error: [`${unique} "${String(body[unique])}" is already taken`, 'uniqueness'] };
      const { password, ...rest } = body;
      const created: Resource = { ...rest, id: `${kind === 'Users' ? 'u' : 'g'}${next++}` };
      if (kind === 'Users' && created['active'] === undefined) created['active'] = true;
      store.set(created.id, created);
      if (typeof password === 'string') passwords.set(created.id, passwordMarker(password));
      return { status: 201, body: created };
    }
    const existing = id === undefined ? undefined : store.get(id);
    if (existing === undefined || id === undefined) return { status: 404, error: [`Resource ${id ?? ''} not found`] };
    if (method === 'GET') return { status: 200, body: existing };
    if (method === 'PUT') {
      const { password, ...rest } = body;
      const replaced: Resource = { ...rest, id };
      store.set(id, replaced);
      if (typeof password === 'string') passwords.set(id, passwordMarker(password));
      return { status: 200, body: replaced };
    }
    if (method === 'PATCH') {
      const ops = (Array.isArray(body['Operations']) ? body['Operations'] : []) as { op?: string; path?: string; value?: unknown }[];
      for (const op of ops) {
        const path = op.path;
        if (path === 'password') {
          if (typeof op.value === 'string') passwords.set(id, passwordMarker(op.value));
        } else if (path === undefined && typeof op.value === 'object' && op.value !== null) {
          for (const [k, v] of Object.entries(op.value)) {
            if (k === 'password' && typeof v === 'string') passwords.set(id, passwordMarker(v));
            else existing[k] = v;
          }
        } else if (path !== undefined) {
          if (op.op === 'remove') delete existing[path];
          else existing[path] = op.value;
        }
      }
      return { status: 200, body: existing };
    }
    if (method === 'DELETE') {
      store.delete(id);
      passwords.delete(id);
      return { status: 204 };
    }
    return { status: 405, error: ['Method not allowed'] };
  }

  function respond(res: ServerResponse, r: ReturnType<typeof apply>): number {
    if (r.error) scimError(res, r.status, r.error[0], r.error[1]);
    else if (r.body === undefined) res.writeHead(r.status).end();
    else sendJson(res, r.status, r.body);
    return r.status;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const filter = url.searchParams.get('filter');
    let json: unknown;
    try {
      json = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      json = raw;
    }
    inProgress++;
    const rec: RecordedRequest = { n: requests.length + 1, method, path: url.pathname, filter, body: masked(json), concurrent: inProgress, outcome: 'ok', status: null };
    requests.push(rec);
    let finished = false;
    const done = () => {
      if (!finished) {
        finished = true;
        inProgress--;
      }
    };
    res.on('close', done);
    try {
      const key = { method, path: url.pathname, filter, search: url.searchParams };
      let fault: Fault | undefined;
      const heldAt = holds.findIndex((h) => h.match(key));
      if (heldAt >= 0) {
        const [h] = holds.splice(heldAt, 1);
        rec.outcome = 'held';
        h!.arrived(rec);
        fault = await h!.gate;
      }
      if (fault === undefined) {
        const at = faults.findIndex((f) => f.match(key));
        if (at >= 0) fault = faults.splice(at, 1)[0]!.fault;
      }
      if (req.headers.authorization !== `Bearer ${token}` && fault === undefined) {
        rec.status = 401;
        scimError(res, 401, 'The bearer token is not valid for this tenant.');
        return;
      }
      const [, , , kind = '', rawId] = url.pathname.split('/'); // /scim/v2/<kind>/<id>
      const id = rawId === undefined ? undefined : decodeURIComponent(rawId);
      const body = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
      if (fault === undefined) {
        rec.status = respond(res, apply(method, kind, id, url, body));
        return;
      }
      rec.outcome = fault.kind === 'status' ? String(fault.status) : `${fault.kind}${'applied' in fault && fault.applied ? '+applied' : ''}`;
      switch (fault.kind) {
        case 'status': {
          const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) };
          rec.status = fault.status;
          scimError(res, fault.status, fault.detail ?? `Injected HTTP ${fault.status}`, fault.scimType, headers);
          return;
        }
        case 'drop':
          if (fault.applied) apply(method, kind, id, url, body);
          req.socket.destroy();
          return;
        case 'slow':
          // The answer never comes: the client gives up (its timeout) and closes the socket.
          if (fault.applied) apply(method, kind, id, url, body);
          return;
      }
    } finally {
      if (res.writableEnded || res.destroyed) done();
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(599).end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/scim/v2`,
    token,
    users,
    groups,
    requests,
    passwordOf: (id) => passwords.get(id) ?? null,
    fail(n, fault, match = () => true) {
      for (let i = 0; i < n; i++) faults.push({ fault, match });
    },
    hold(match = () => true) {
      let arrived!: (r: RecordedRequest) => void;
      let release!: (f: Fault | undefined) => void;
      const arrivedP = new Promise<RecordedRequest>((r) => (arrived = r));
      const gate = new Promise<Fault | undefined>((r) => (release = r));
      holds.push({ match, arrived, gate });
      return { arrived: arrivedP, release: (then?: Fault) => release(then) };
    },
    clearFaults() {
      faults.length = 0;
    },
    pendingFaults: () => faults.length,
    seedUser(body) {
      const r = apply('POST', 'Users', undefined, new URL('http://x/'), { schemas: [USER_SCHEMA], ...body });
      if (r.status !== 201) throw new Error(`seeding ${JSON.stringify(body)}: ${r.status} ${r.error?.[0] ?? ''}`);
      return r.body as Resource;
    },
    userByName: (userName) => [...users.values()].find((u) => lower(u['userName']) === userName.toLowerCase()),
    count: (method, pathPrefix = '') => requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix)).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Matchers for fail() and hold(). */
export const on = {
  method:
    (method: string): Match =>
    (r) =>
      r.method === method,
  create: (): Match => (r) => r.method === 'POST' && r.path.endsWith('/Users'),
  filter:
    (attr: string): Match =>
    (r) =>
      r.filter !== null && r.filter.startsWith(`${attr} eq`),
  any: (): Match => () => true,
};
