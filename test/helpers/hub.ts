/**
 * A real hub for one test: a SQLite file in the OS temp folder, the real
 * services (argon2 included), and the HTTP server on 127.0.0.1 port 0 with its
 * pino log captured in memory so a test can search what was logged.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { openApp, type App } from '../../src/app.js';
import type { Clock, Org, OrgSettings } from '../../src/core/types.js';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { createLogger } from '../../src/logging.js';
import { OrgService } from '../../src/services/orgs.js';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** Parsed JSON is typed loosely on purpose: tests assert on its shape. */
export type Json = any;

export interface ScimResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty or non-JSON body. */
  body: Json;
  text: string;
}

export interface HubOrg {
  org: Org;
  name: string;
  /** The bearer secret of the org's initial API token. */
  token: string;
  tokenId: string;
  /** A SCIM call with this org's token. */
  scim(method: string, urlPath: string, body?: unknown, headers?: Record<string, string>): Promise<ScimResponse>;
}

export interface Hub {
  app: App;
  orgService: OrgService;
  /** http://127.0.0.1:PORT */
  url: string;
  /** http://127.0.0.1:PORT/scim/v2 */
  scimBase: string;
  dbPath: string;
  orgs: HubOrg[];
  /** The org with this name. */
  org(name: string): HubOrg;
  /** A SCIM call with the first org's token. */
  scim(method: string, urlPath: string, body?: unknown, headers?: Record<string, string>): Promise<ScimResponse>;
  /** A request with exactly these headers (no token added), for authentication tests. */
  raw(method: string, urlPath: string, init?: { body?: string; headers?: Record<string, string> }): Promise<ScimResponse>;
  /** Everything logged so far, as JSON lines. */
  logs(): string;
  /** The bytes of the SQLite file and its -wal file, as they are now. */
  dbBytes(): Promise<Buffer>;
  /** Stops the server (waiting for in-flight requests and their log lines); the store stays open. */
  stopServer(): Promise<void>;
  close(): Promise<void>;
}

export interface HubOptions {
  /** Org names; default one org named "acme". */
  orgs?: string[];
  /** Settings applied to every org after creation. */
  settings?: Partial<OrgSettings>;
  bodyLimit?: number;
  /** pino level; default "trace" so that every line any code could write is captured. */
  logLevel?: string;
  /** The hub's clock (e.g. a manualClock for expiry tests); default: real time, strictly increasing. */
  clock?: Clock;
}

async function send(base: string, method: string, urlPath: string, body: string | undefined, headers: Record<string, string>): Promise<ScimResponse> {
  const res = await fetch(`${base}${urlPath}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let parsed: Json;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Bodies given as strings are sent as they are (bad JSON tests); anything else as JSON. */
function encode(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

export async function startHub(opts: HubOptions = {}): Promise<Hub> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'idsync-test-'));
  const dbPath = path.join(dir, 'hub.db');
  // Strictly increasing time: resources created one after another never share a
  // timestamp, so creation order (the default list order) is the order of the calls.
  let last = 0;
  const clock = opts.clock ?? { now: () => new Date((last = Math.max(Date.now(), last + 1))) };
  const app = await openApp({ db: dbPath, clock });
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: opts.logLevel ?? 'trace', destination });
  const orgService = new OrgService(app.ctx);
  let server: RunningServer | null = null;
  try {
    server = await startServer({ ctx: app.ctx, logger, host: '127.0.0.1', port: 0, ...(opts.bodyLimit === undefined ? {} : { bodyLimit: opts.bodyLimit }) });
  } catch (e) {
    await app.close();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const url = server.url;
  const scimBase = `${url}/scim/v2`;

  const scimAs =
    (token: string) =>
    (method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<ScimResponse> => {
      const encoded = encode(body);
      const h: Record<string, string> = { authorization: `Bearer ${token}`, ...(encoded === undefined ? {} : { 'content-type': 'application/scim+json' }), ...headers };
      return send(scimBase, method, urlPath, encoded, h);
    };

  const orgs: HubOrg[] = [];
  for (const name of opts.orgs ?? ['acme']) {
    const { org, issued } = await orgService.create(name, 'test');
    const settled = opts.settings ? await orgService.updateSettings(org.id, opts.settings, 'test') : org;
    orgs.push({ org: settled, name, token: issued.secret, tokenId: issued.token.id, scim: scimAs(issued.secret) });
  }

  let serverOpen = true;
  const stopServer = async () => {
    if (serverOpen && server) {
      serverOpen = false;
      await server.close();
    }
  };

  return {
    app,
    orgService,
    url,
    scimBase,
    dbPath,
    orgs,
    org(name) {
      const o = orgs.find((x) => x.name === name);
      if (!o) throw new Error(`no org ${name} in this hub`);
      return o;
    },
    scim: (...args) => (orgs[0] as HubOrg).scim(...args),
    raw: (method, urlPath, init = {}) => send(scimBase, method, urlPath, init.body, init.headers ?? {}),
    logs: () => chunks.join(''),
    async dbBytes() {
      const parts: Buffer[] = [];
      for (const f of [dbPath, `${dbPath}-wal`]) if (existsSync(f)) parts.push(await readFile(f));
      return Buffer.concat(parts);
    },
    stopServer,
    async close() {
      await stopServer();
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A SCIM User body with the usual parts; `extra` overrides or adds attributes. */
export function userBody(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemas: [USER], userName, ...extra };
}

export function patchBody(...operations: unknown[]): Record<string, unknown> {
  return { schemas: [PATCH_OP], Operations: operations };
}

/** Creates a user through SCIM and returns its resource, failing loudly if the hub refused it. */
export async function createUser(hubOrg: Pick<HubOrg, 'scim'>, userName: string, extra: Record<string, unknown> = {}): Promise<Json> {
  const res = await hubOrg.scim('POST', '/Users', userBody(userName, extra));
  if (res.status !== 201) throw new Error(`creating ${userName}: ${res.status} ${res.text}`);
  return res.body;
}

export async function createGroup(hubOrg: Pick<HubOrg, 'scim'>, displayName: string, memberIds: string[] = []): Promise<Json> {
  const res = await hubOrg.scim('POST', '/Groups', { schemas: [GROUP], displayName, members: memberIds.map((value) => ({ value })) });
  if (res.status !== 201) throw new Error(`creating group ${displayName}: ${res.status} ${res.text}`);
  return res.body;
}

/** Encodes a filter for a query string. */
export function q(filter: string): string {
  return encodeURIComponent(filter);
}
