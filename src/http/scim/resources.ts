/**
 * /Users and /Groups: parse, authorize (the org comes from the token), call the
 * SCIM service, render with projection and ETags.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalid } from '../../core/errors.js';
import { assertVersion, resourceVersion as version } from '../../core/scim/etag.js';
import { isJsonObject, type JsonObject } from '../../core/json.js';
import { projectAttributes } from '../../core/scim/projection.js';
import { LIST_RESPONSE_SCHEMA } from '../../core/scim/schema.js';
import type { Org } from '../../core/types.js';
import type { ServiceContext } from '../../services/context.js';
import type { ListResult } from '../../services/scim/list.js';
import { ScimGroups } from '../../services/scim/groups.js';
import { ScimUsers } from '../../services/scim/users.js';
import { baseUrlOf } from './discovery.js';
import { ifNoneMatchHits, parseIfMatch, parseListRequest, parseProjection, parseSearchBody, type Projection } from './params.js';

type ResourceType = 'User' | 'Group';

interface ResourceService {
  get(id: string): Promise<JsonObject>;
  list(p: ReturnType<typeof parseListRequest>['list']): Promise<ListResult>;
  create(body: JsonObject, actor: string): Promise<JsonObject>;
  replace(id: string, body: JsonObject, ifVersion: number | undefined, actor: string): Promise<JsonObject>;
  patch(id: string, body: unknown, ifVersion: number | undefined, actor: string): Promise<JsonObject>;
  delete(id: string, actor: string): Promise<void>;
}

type IdRequest = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, unknown> }>;

function principal(req: FastifyRequest): { org: Org; actor: string } {
  // The onRequest hook has authenticated the request; these are always set here.
  return { org: req.scimOrg as Org, actor: req.scimActor as string };
}

function objectBody(body: unknown): JsonObject {
  if (!isJsonObject(body)) throw invalid('SCIM_INVALID_SYNTAX', 'The request body must be a JSON object.', { scimType: 'invalidSyntax' });
  return body;
}


function sendResource(reply: FastifyReply, rt: ResourceType, resource: JsonObject, projection: Projection, status = 200): FastifyReply {
  const v = version(resource);
  if (v !== undefined) reply.header('etag', v);
  return reply.code(status).send(projectAttributes(resource, rt, projection));
}

/** A reply without a body: the SCIM content type every reply starts with (plugin.ts) would describe nothing. */
function noContent(reply: FastifyReply, status: 204 | 304): FastifyReply {
  return reply.code(status).removeHeader('content-type');
}

function listResponse(rt: ResourceType, result: ListResult, projection: Projection): JsonObject {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: result.total,
    itemsPerPage: result.resources.length,
    startIndex: result.startIndex,
    Resources: result.resources.map((r) => projectAttributes(r, rt, projection)),
  };
}

function register(app: FastifyInstance, path: string, rt: ResourceType, service: (req: FastifyRequest) => ResourceService): void {
  const list = async (req: FastifyRequest) => {
    const { list, projection } = parseListRequest(req.query as Record<string, unknown>);
    return listResponse(rt, await service(req).list(list), projection);
  };
  // `/Users/` is the collection too (Microsoft's SCIM reference collection lists with `/Users/?filter=`),
  // not a resource with an empty id.
  app.get(path, list);
  app.get(`${path}/`, list);
  app.post(`${path}/.search`, async (req, reply) => {
    const { list, projection } = parseSearchBody(req.body);
    return reply.code(200).send(listResponse(rt, await service(req).list(list), projection));
  });
  app.get(`${path}/:id`, async (req: IdRequest, reply) => {
    const projection = parseProjection(req.query);
    const resource = await service(req).get(req.params.id);
    const v = version(resource);
    if (v !== undefined && ifNoneMatchHits(req.headers['if-none-match'], v)) return noContent(reply, 304).header('etag', v).send();
    return sendResource(reply, rt, resource, projection);
  });
  const create = async (req: FastifyRequest, reply: FastifyReply) => {
    const created = await service(req).create(objectBody(req.body), principal(req).actor);
    const meta = created['meta'];
    if (isJsonObject(meta) && typeof meta['location'] === 'string') reply.header('location', meta['location']);
    return sendResource(reply, rt, created, parseProjection(req.query as Record<string, unknown>), 201);
  };
  app.post(path, create);
  app.post(`${path}/`, create);
  app.put(`${path}/:id`, async (req: IdRequest, reply) => {
    const updated = await service(req).replace(req.params.id, objectBody(req.body), parseIfMatch(req.headers['if-match']), principal(req).actor);
    return sendResource(reply, rt, updated, parseProjection(req.query));
  });
  app.patch(`${path}/:id`, async (req: IdRequest, reply) => {
    const updated = await service(req).patch(req.params.id, req.body, parseIfMatch(req.headers['if-match']), principal(req).actor);
    return sendResource(reply, rt, updated, parseProjection(req.query));
  });
  app.delete(`${path}/:id`, async (req: IdRequest, reply) => {
    const ifVersion = parseIfMatch(req.headers['if-match']);
    const svc = service(req);
    if (ifVersion !== undefined) assertVersion(version(await svc.get(req.params.id)), ifVersion);
    await svc.delete(req.params.id, principal(req).actor);
    return noContent(reply, 204).send();
  });
}

export async function resourceRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  register(app, '/Users', 'User', (req) => new ScimUsers(ctx, principal(req).org, baseUrlOf(req)));
  register(app, '/Groups', 'Group', (req) => new ScimGroups(ctx, principal(req).org, baseUrlOf(req)));
}
