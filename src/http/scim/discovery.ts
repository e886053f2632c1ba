/**
 * ServiceProviderConfig, ResourceTypes and Schemas (RFC 7644 section 4). Built
 * from the same schema data the filter, PATCH and projection code reads, so the
 * server cannot claim what it does not do.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import { BULK_MAX_OPERATIONS } from '../../core/scim/bulk.js';
import { LIST_RESPONSE_SCHEMA, allSchemas, resourceTypes, type ScimSchema } from '../../core/scim/schema.js';
import { MAX_PAGE_SIZE } from './params.js';

const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RT_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

export function baseUrlOf(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}/scim/v2`;
}

function listResponse(resources: JsonObject[]): JsonObject {
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults: resources.length, itemsPerPage: resources.length, startIndex: 1, Resources: resources };
}

function renderSchema(s: ScimSchema, base: string): JsonObject {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: s.id,
    name: s.name,
    description: s.description,
    attributes: JSON.parse(JSON.stringify(s.attributes)) as JsonObject[],
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${s.id}` },
  };
}

function renderResourceType(rt: (typeof resourceTypes)[number], base: string): JsonObject {
  return {
    schemas: [RT_SCHEMA],
    id: rt.id,
    name: rt.name,
    endpoint: rt.endpoint,
    description: rt.description,
    schema: rt.schema,
    schemaExtensions: rt.extensions.map((e) => ({ schema: e.schema, required: e.required })),
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/${rt.id}` },
  };
}

export async function discoveryRoutes(app: FastifyInstance, opts: { bodyLimit: number }): Promise<void> {
  const serviceProviderConfig = async (req: FastifyRequest): Promise<JsonObject> => ({
    schemas: [SPC_SCHEMA],
    documentationUri: 'https://github.com/idsync/idsync#scim-20-service-provider',
    patch: { supported: true },
    bulk: { supported: true, maxOperations: BULK_MAX_OPERATIONS, maxPayloadSize: opts.bodyLimit },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    changePassword: { supported: true },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'An API token of the org, sent as "Authorization: Bearer <token>". Create one with `idsync token create --org NAME`.',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrlOf(req)}/ServiceProviderConfig` },
  });
  app.get('/ServiceProviderConfig', serviceProviderConfig);
  // Microsoft's SCIM reference test collection reads the configuration from this non-standard path.
  app.get('/serviceConfiguration', serviceProviderConfig);

  app.get('/ResourceTypes', async (req) => listResponse(resourceTypes.map((rt) => renderResourceType(rt, baseUrlOf(req)))));
  app.get<{ Params: { id: string } }>('/ResourceTypes/:id', async (req) => {
    const rt = resourceTypes.find((r) => r.id.toLowerCase() === req.params.id.toLowerCase());
    if (!rt) throw notFound('SCIM_NO_SUCH_RESOURCE_TYPE', `No resource type "${req.params.id}". Resource types: User, Group.`);
    return renderResourceType(rt, baseUrlOf(req));
  });

  app.get('/Schemas', async (req) => listResponse(allSchemas.map((s) => renderSchema(s, baseUrlOf(req)))));
  app.get<{ Params: { id: string } }>('/Schemas/:id', async (req) => {
    const s = allSchemas.find((x) => x.id.toLowerCase() === req.params.id.toLowerCase());
    if (!s) throw notFound('SCIM_NO_SUCH_SCHEMA', `No schema "${req.params.id}". Schemas: ${allSchemas.map((x) => x.id).join(', ')}.`);
    return renderSchema(s, baseUrlOf(req));
  });
}
