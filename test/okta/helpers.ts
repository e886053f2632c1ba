/**
 * A real hub for the management API tests: a SQLite file in the OS temp folder,
 * the real services (argon2 included), the HTTP server on 127.0.0.1 port 0 with its
 * log captured, and a clock the test can move forward (rate-limit windows,
 * minimum password age, link expiry) without sleeping. Each org comes with its API
 * token, a raw HTTP caller and an official @okta/okta-sdk-nodejs Client.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import assert from 'node:assert/strict';
import okta from '@okta/okta-sdk-nodejs';
import { openApp, type App } from '../../src/app.js';
import type { Org } from '../../src/core/types.js';
import type { OktaOptions } from '../../src/http/okta/plugin.js';
import { startServer } from '../../src/http/server.js';
import { createLogger } from '../../src/logging.js';
import { OrgService } from '../../src/services/orgs.js';

/** Parsed JSON is typed loosely on purpose: tests assert on its shape. */
export type Json = any;

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: Json;
  text: string;
}

export interface OktaOrg {
  org: Org;
  token: string;
  /** A call with `Authorization: SSWS <token>`; string bodies are sent as they are. */
  api(method: string, urlPath: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  /** The official SDK, pointed at this hub with this org's token. */
  client: okta.Client;
}

export interface OktaHub {
  app: App;
  url: string;
  orgs: OktaOrg[];
  org(name: string): OktaOrg;
  /** A call with exactly these headers (no token added). */
  raw(method: string, urlPath: string, init?: { body?: string; headers?: Record<string, string> }): Promise<ApiResponse>;
  /** Moves the hub's clock forward. */
  advance(ms: number): void;
  logs(): string;
  dbBytes(): Promise<Buffer>;
  close(): Promise<void>;
}

export interface OktaHubOptions {
  orgs?: string[];
  okta?: OktaOptions;
}

async function send(url: string, method: string, body: string | undefined, headers: Record<string, string>): Promise<ApiResponse> {
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let parsed: Json;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export function sdkClient(url: string, token: string): okta.Client {
  return new okta.Client({ orgUrl: url, token, testing: { disableHttpsCheck: true } } as ConstructorParameters<typeof okta.Client>[0]);
}

export async function startOktaHub(opts: OktaHubOptions = {}): Promise<OktaHub> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'idsync-okta-'));
  const dbPath = path.join(dir, 'hub.db');
  // Strictly increasing (creation order is list order) and movable by the test.
  let offset = 0;
  let last = 0;
  const clock = { now: () => new Date((last = Math.max(Date.now() + offset, last + 1))) };
  const app = await openApp({ db: dbPath, clock });
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: 'trace', destination });
  const server = await startServer({ ctx: app.ctx, logger, host: '127.0.0.1', port: 0, ...(opts.okta === undefined ? {} : { okta: opts.okta }) });
  const orgService = new OrgService(app.ctx);
  const orgs: OktaOrg[] = [];
  for (const name of opts.orgs ?? ['acme']) {
    const { org, issued } = await orgService.create(name, 'test');
    const token = issued.secret;
    orgs.push({
      org,
      token,
      client: sdkClient(server.url, token),
      api: (method, urlPath, body, headers = {}) => {
        const encoded = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
        const h = { authorization: `SSWS ${token}`, accept: 'application/json', ...(encoded === undefined ? {} : { 'content-type': 'application/json' }), ...headers };
        return send(`${server.url}/api/v1${urlPath}`, method, encoded, h);
      },
    });
  }
  return {
    app,
    url: server.url,
    orgs,
    org(name) {
      const o = orgs.find((x) => x.org.name === name);
      if (!o) throw new Error(`no org ${name}`);
      return o;
    },
    raw: (method, urlPath, init = {}) => send(`${server.url}/api/v1${urlPath}`, method, init.body, init.headers ?? {}),
    advance(ms) {
      offset += ms;
    },
    logs: () => chunks.join(''),
    async dbBytes() {
      const parts: Buffer[] = [];
      for (const f of [dbPath, `${dbPath}-wal`]) if (existsSync(f)) parts.push(await readFile(f));
      return Buffer.concat(parts);
    },
    async close() {
      await server.close();
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Drains an SDK collection (it follows the Link headers itself). */
export async function collect<T>(collection: AsyncIterable<T> | { each(fn: (item: T) => void): Promise<unknown> }): Promise<T[]> {
  const out: T[] = [];
  if (Symbol.asyncIterator in collection) {
    for await (const item of collection as AsyncIterable<T>) out.push(item);
  } else {
    await collection.each((item) => void out.push(item));
  }
  return out;
}

/** A distinctive password that meets the default policy (it shares no part with any test login). */
export function strongPassword(): string {
  return `Zq9-${randomBytes(6).toString('hex')}-Wx`;
}

/** The shape every error has; returns the body for further checks. */
export function assertOktaError(res: ApiResponse, status: number, code: string, summary?: string | RegExp): Json {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const b = res.body;
  assert.deepEqual(Object.keys(b).sort(), ['errorCauses', 'errorCode', 'errorId', 'errorLink', 'errorSummary']);
  assert.equal(b.errorCode, code);
  assert.equal(b.errorLink, code);
  assert.match(b.errorId, /^oae[A-Za-z0-9_-]{10,}$/);
  assert.ok(Array.isArray(b.errorCauses) && b.errorCauses.every((c: Json) => typeof c.errorSummary === 'string' && Object.keys(c).length === 1));
  if (typeof summary === 'string') assert.equal(b.errorSummary, summary);
  else if (summary) assert.match(b.errorSummary, summary);
  return b;
}
