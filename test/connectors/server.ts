/**
 * Real HTTP servers on 127.0.0.1 port 0 for connector tests: a programmable one for
 * fault injection, and a small in-memory SCIM target that behaves like a real one.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or undefined. */
  json: unknown;
}

export type Handler = (req: SeenRequest, res: ServerResponse) => void | Promise<void>;

export interface TestServer {
  /** http://127.0.0.1:PORT */
  url: string;
  requests: SeenRequest[];
  /** Replaces the handler for the following requests. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export async function startServer(initial: Handler): Promise<TestServer> {
  let handler = initial;
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body === '' ? undefined : JSON.parse(body);
      } catch {
        json = undefined;
      }
      const seen: SeenRequest = { method: req.method ?? '', url: new URL(req.url ?? '/', 'http://127.0.0.1'), headers: req.headers, body, json };
      requests.push(seen);
      Promise.resolve(handler(seen, res)).catch((e: unknown) => {
        res.writeHead(599).end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle: (h) => {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Held requests (the slow-response test) and keep-alive sockets would block close().
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/scim+json', ...headers });
  res.end(JSON.stringify(body));
}

export function scimError(res: ServerResponse, status: number, detail: string, scimType?: string): void {
  sendJson(res, status, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail, ...(scimType ? { scimType } : {}) });
}

type Resource = Record<string, unknown> & { id: string };

export interface ScimTargetOptions {
  /** Behave like a broken target that always returns the first page. */
  ignoreStartIndex?: boolean;
  /** Omit totalResults from list responses. */
  omitTotal?: boolean;
  /** Answer PATCH with 204 instead of 200 and the resource. */
  patchNoContent?: boolean;
  /** Required bearer header value; anything else gets 401. */
  authorization?: string | ((value: string | undefined) => boolean);
}

export interface ScimTarget {
  handler: Handler;
  users: Map<string, Resource>;
  groups: Map<string, Resource>;
}

/** Just enough of RFC 7644 for the client: CRUD, `attr eq "value"` filters, paging. */
export function scimTarget(opts: ScimTargetOptions = {}): ScimTarget {
  const stores = { Users: new Map<string, Resource>(), Groups: new Map<string, Resource>() };
  let next = 1;
  const handler: Handler = (req, res) => {
    const auth = req.headers.authorization;
    const allowed = opts.authorization === undefined || (typeof opts.authorization === 'string' ? auth === opts.authorization : opts.authorization(auth));
    if (!allowed) return scimError(res, 401, 'Invalid bearer token');
    const [, , , kind, rawId] = req.url.pathname.split('/'); // /scim/v2/<kind>/<id>
    if (kind !== 'Users' && kind !== 'Groups') return scimError(res, 404, 'No such endpoint');
    const store = stores[kind];
    const id = rawId === undefined ? undefined : decodeURIComponent(rawId);
    const existing = id === undefined ? undefined : store.get(id);
    const body = (req.json ?? {}) as Record<string, unknown>;
    if (req.method === 'GET' && id === undefined) {
      let all = [...store.values()];
      const filter = req.url.searchParams.get('filter');
      if (filter !== null) {
        const m = /^(\w+) eq "((?:[^"\\]|\\.)*)"$/.exec(filter);
        if (m === null) return scimError(res, 400, `Unsupported filter ${filter}`, 'invalidFilter');
        const value = JSON.parse(`"${m[2] ?? ''}"`) as string;
        all = all.filter((r) => r[m[1] ?? ''] === value);
      }
      const start = opts.ignoreStartIndex ? 1 : Number(req.url.searchParams.get('startIndex') ?? '1');
      const count = Number(req.url.searchParams.get('count') ?? '100');
      const page = all.slice(start - 1, start - 1 + count);
      const list: Record<string, unknown> = { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], startIndex: start, itemsPerPage: page.length, Resources: page };
      if (!opts.omitTotal) list['totalResults'] = all.length;
      return sendJson(res, 200, list);
    }
    if (req.method === 'POST' && id === undefined) {
      const unique = kind === 'Users' ? 'userName' : 'displayName';
      if ([...store.values()].some((r) => r[unique] === body[unique])) return scimError(res, 409, `${unique} already exists`, 'uniqueness');
      // Like a real target, a password is accepted but never stored or returned.
      const { password: _password, ...rest } = body;
      const created: Resource = { ...rest, id: `${kind === 'Users' ? 'u' : 'g'}${next++}` };
      store.set(created.id, created);
      return sendJson(res, 201, created);
    }
    if (existing === undefined || id === undefined) return scimError(res, 404, `Resource ${id ?? ''} not found`);
    if (req.method === 'GET') return sendJson(res, 200, existing);
    if (req.method === 'PUT') {
      const replaced = { ...body, id };
      store.set(id, replaced);
      return sendJson(res, 200, replaced);
    }
    if (req.method === 'PATCH') {
      const ops = (body['Operations'] ?? []) as { op: string; path?: string; value?: unknown }[];
      for (const op of ops) if (op.path !== undefined && op.path !== 'password') existing[op.path] = op.value;
      if (opts.patchNoContent) {
        res.writeHead(204).end();
        return;
      }
      return sendJson(res, 200, existing);
    }
    if (req.method === 'DELETE') {
      store.delete(id);
      res.writeHead(204).end();
      return;
    }
    return scimError(res, 405, 'Method not allowed');
  };
  return { handler, users: stores.Users, groups: stores.Groups };
}
