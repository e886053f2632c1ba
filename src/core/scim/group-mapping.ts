/** The SCIM Group resource as a view of a hub group, and a SCIM Group body as hub input. */
import { invalid } from '../errors.js';
import type { JsonObject } from '../json.js';
import { isJsonObject } from '../json.js';
import type { Group, GroupMember } from '../types.js';
import { GROUP_SCHEMA } from './schema.js';
import { etag } from './user-mapping.js';

export interface ScimGroupInput {
  name: string;
  externalId: string | null;
  /** Member user ids in the order sent, without duplicates; undefined when `members` was absent. */
  memberIds: string[] | undefined;
}

export function fromScimGroup(body: JsonObject): ScimGroupInput {
  const name = body['displayName'];
  if (typeof name !== 'string' || name.trim() === '') {
    throw invalid('SCIM_MISSING_DISPLAYNAME', 'Attribute "displayName" is required and must be a non-empty string.', { scimType: 'invalidValue' });
  }
  const ext = body['externalId'];
  if (ext !== undefined && ext !== null && typeof ext !== 'string') {
    throw invalid('SCIM_INVALID_VALUE', 'Attribute "externalId" must be a string.', { scimType: 'invalidValue' });
  }
  const members = body['members'];
  let memberIds: string[] | undefined;
  if (members !== undefined && members !== null) {
    if (!Array.isArray(members)) {
      throw invalid('SCIM_INVALID_VALUE', 'Attribute "members" must be a list of objects with a "value" (the member\'s id).', { scimType: 'invalidValue' });
    }
    memberIds = [];
    for (const [i, m] of members.entries()) {
      const value = isJsonObject(m) ? m['value'] : undefined;
      if (typeof value !== 'string' || value === '') {
        throw invalid('SCIM_INVALID_VALUE', `members[${i}] must be an object with a string "value" (the member's id).`, { scimType: 'invalidValue' });
      }
      if (isJsonObject(m) && typeof m['type'] === 'string' && m['type'].toLowerCase() === 'group') {
        throw invalid('SCIM_INVALID_VALUE', `members[${i}] is a group; only users can be members of a group here (nested groups are not supported).`, { scimType: 'invalidValue' });
      }
      if (!memberIds.includes(value)) memberIds.push(value);
    }
  }
  return { name, externalId: typeof ext === 'string' ? ext : null, memberIds };
}

export function toScimGroup(group: Group, members: GroupMember[], baseUrl: string): JsonObject {
  const out: JsonObject = { schemas: [GROUP_SCHEMA], id: group.id };
  if (group.externalId !== null) out['externalId'] = group.externalId;
  out['displayName'] = group.name;
  out['members'] = members.map((m) => ({ value: m.userId, display: m.display, $ref: `${baseUrl}/Users/${m.userId}`, type: 'User' }));
  out['meta'] = {
    resourceType: 'Group',
    created: group.created,
    lastModified: group.lastUpdated,
    location: `${baseUrl}/Groups/${group.id}`,
    version: etag(group.version),
  };
  return out;
}
