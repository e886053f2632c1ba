/**
 * The SCIM schemas the hub serves (RFC 7643 section 4 and 8.7.1), as data. The
 * `/Schemas` endpoint renders them, and filters, PATCH and attribute projection
 * read caseExact, mutability, returned and multiValued from them, so what the
 * server says it does and what it does cannot drift.
 */

export type ScimAttrType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex' | 'binary';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';

export interface ScimAttribute {
  name: string;
  type: ScimAttrType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: 'none' | 'server' | 'global';
  subAttributes?: ScimAttribute[];
  canonicalValues?: string[];
  referenceTypes?: string[];
}

export interface ScimSchema {
  id: string;
  name: string;
  description: string;
  attributes: ScimAttribute[];
}

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

type AttrOpts = Partial<Omit<ScimAttribute, 'name' | 'type'>>;

function a(name: string, type: ScimAttrType, description: string, opts: AttrOpts = {}): ScimAttribute {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...opts,
  };
}

const str = (name: string, description: string, opts: AttrOpts = {}) => a(name, 'string', description, opts);

/** The sub-attributes shared by emails, phoneNumbers, ims, photos, entitlements, roles, x509Certificates. */
function multiValuedCommon(kind: string, types: string[], valueType: ScimAttrType = 'string'): ScimAttribute[] {
  return [
    a('value', valueType, `The ${kind} value.`),
    str('display', `A human-readable name for the ${kind}, for display only.`),
    str('type', `A label for the ${kind}'s function.`, types.length > 0 ? { canonicalValues: types } : {}),
    a('primary', 'boolean', `Whether this is the primary ${kind}.`),
  ];
}

function multi(name: string, description: string, subAttributes: ScimAttribute[]): ScimAttribute {
  return a(name, 'complex', description, { multiValued: true, subAttributes });
}

export const userSchema: ScimSchema = {
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    str('userName', "Unique identifier for the User, used to sign in. Unique per org, compared case-insensitively.", {
      required: true,
      uniqueness: 'server',
    }),
    a('name', 'complex', "The components of the user's real name.", {
      subAttributes: [
        str('formatted', 'The full name, formatted for display.'),
        str('familyName', 'The family name (last name).'),
        str('givenName', 'The given name (first name).'),
        str('middleName', 'The middle name(s).'),
        str('honorificPrefix', 'The honorific prefix(es), e.g. Ms.'),
        str('honorificSuffix', 'The honorific suffix(es), e.g. III.'),
      ],
    }),
    str('displayName', 'The name of the User, suitable for display to end-users.'),
    str('nickName', 'The casual way to address the user.'),
    a('profileUrl', 'reference', "A URI of the user's online profile.", { referenceTypes: ['external'] }),
    str('title', "The user's title, such as Vice President."),
    str('userType', 'The relationship between the organization and the user, e.g. Employee.'),
    str('preferredLanguage', "The user's preferred written or spoken language (RFC 7231 Accept-Language)."),
    str('locale', "The user's default location for localization, e.g. en-US."),
    str('timezone', "The user's time zone in IANA format, e.g. America/Los_Angeles."),
    a('active', 'boolean', "The user's administrative status. false suspends or deactivates the user (per org setting)."),
    str('password', "The user's cleartext password. Write-only: checked against the org's password policy, then hashed.", {
      mutability: 'writeOnly',
      returned: 'never',
    }),
    multi('emails', 'Email addresses for the user.', multiValuedCommon('email address', ['work', 'home', 'other'])),
    multi('phoneNumbers', 'Phone numbers for the user.', multiValuedCommon('phone number', ['work', 'home', 'mobile', 'fax', 'pager', 'other'])),
    multi('ims', 'Instant messaging addresses for the user.', multiValuedCommon('instant messaging address', [])),
    multi('photos', "URLs of photos of the user.", multiValuedCommon('photo', ['photo', 'thumbnail'], 'reference')),
    multi('addresses', 'Physical mailing addresses for the user.', [
      str('formatted', 'The full mailing address, formatted for display.'),
      str('streetAddress', 'The full street address.'),
      str('locality', 'The city or locality.'),
      str('region', 'The state or region.'),
      str('postalCode', 'The zip code or postal code.'),
      str('country', 'The country, ISO 3166-1 alpha-2 code.'),
      str('type', "A label for the address's function.", { canonicalValues: ['work', 'home', 'other'] }),
      a('primary', 'boolean', 'Whether this is the primary address.'),
    ]),
    {
      ...multi('groups', 'The groups the user belongs to. Read-only: change memberships through the Group resource.', [
        str('value', 'The id of the group.', { mutability: 'readOnly' }),
        a('$ref', 'reference', 'The URI of the group.', { mutability: 'readOnly', referenceTypes: ['Group'] }),
        str('display', "The group's display name.", { mutability: 'readOnly' }),
        str('type', 'direct or indirect membership.', { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }),
      ]),
      mutability: 'readOnly',
    },
    multi('entitlements', 'Entitlements of the user.', multiValuedCommon('entitlement', [])),
    multi('roles', 'Roles of the user.', multiValuedCommon('role', [])),
    multi('x509Certificates', 'X.509 certificates of the user.', multiValuedCommon('certificate', [], 'binary')),
  ],
};

export const enterpriseUserSchema: ScimSchema = {
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    str('employeeNumber', 'A string identifier, typically numeric or alphanumeric, assigned to a person.'),
    str('costCenter', 'The cost center.'),
    str('organization', 'The organization.'),
    str('division', 'The division.'),
    str('department', 'The department.'),
    a('manager', 'complex', "The user's manager.", {
      subAttributes: [
        str('value', 'The id of the manager in this org.'),
        a('$ref', 'reference', 'The URI of the manager.', { referenceTypes: ['User'] }),
        str('displayName', "The manager's display name.", { mutability: 'readOnly' }),
      ],
    }),
  ],
};

export const groupSchema: ScimSchema = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    str('displayName', 'A human-readable name for the group. Unique per org, compared case-insensitively.', {
      required: true,
      uniqueness: 'server',
    }),
    multi('members', 'A list of members of the group. Only users are supported as members.', [
      str('value', 'The id of the member.', { mutability: 'immutable', caseExact: true }),
      a('$ref', 'reference', 'The URI of the member.', { mutability: 'immutable', referenceTypes: ['User'] }),
      str('display', "The member's display name.", { mutability: 'readOnly' }),
      str('type', 'The type of member.', { mutability: 'immutable', canonicalValues: ['User'] }),
    ]),
  ],
};

/** Attributes every resource has (RFC 7643 3.1). */
export const commonAttributes: ScimAttribute[] = [
  str('id', 'Unique identifier assigned by the hub.', {
    mutability: 'readOnly',
    returned: 'always',
    caseExact: true,
    uniqueness: 'server',
  }),
  str('externalId', "The provisioning client's identifier for the resource.", { caseExact: true }),
  a('meta', 'complex', 'Resource metadata.', {
    mutability: 'readOnly',
    subAttributes: [
      str('resourceType', 'The resource type.', { mutability: 'readOnly', caseExact: true }),
      a('created', 'dateTime', 'When the resource was created.', { mutability: 'readOnly' }),
      a('lastModified', 'dateTime', 'When the resource was last changed.', { mutability: 'readOnly' }),
      a('location', 'reference', 'The URI of the resource.', { mutability: 'readOnly', caseExact: true }),
      str('version', 'The ETag of the resource.', { mutability: 'readOnly', caseExact: true }),
    ],
  }),
];

export interface ResourceTypeDef {
  id: 'User' | 'Group';
  name: string;
  endpoint: string;
  description: string;
  schema: string;
  extensions: { schema: string; required: boolean }[];
}

export const resourceTypes: ResourceTypeDef[] = [
  {
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'User Account',
    schema: USER_SCHEMA,
    extensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
  },
  { id: 'Group', name: 'Group', endpoint: '/Groups', description: 'Group', schema: GROUP_SCHEMA, extensions: [] },
];

export const allSchemas: ScimSchema[] = [userSchema, enterpriseUserSchema, groupSchema];

/** Where an attribute was found: its definition and the schema it belongs to. */
export interface ResolvedAttribute {
  schema: string;
  def: ScimAttribute;
  sub: ScimAttribute | null;
}

/**
 * Finds an attribute definition for a resource type, case-insensitively, with or
 * without a schema URN prefix. Returns null for unknown attributes.
 */
export function resolveAttribute(
  resource: 'User' | 'Group',
  schemaUrn: string | null,
  attr: string,
  subAttr: string | null,
): ResolvedAttribute | null {
  const candidates: ScimSchema[] =
    resource === 'User' ? [userSchema, enterpriseUserSchema] : [groupSchema];
  const lowerAttr = attr.toLowerCase();
  for (const schema of candidates) {
    if (schemaUrn !== null && schemaUrn.toLowerCase() !== schema.id.toLowerCase()) continue;
    const pool = schema === candidates[0] ? [...commonAttributes, ...schema.attributes] : schema.attributes;
    const def = pool.find((d) => d.name.toLowerCase() === lowerAttr);
    if (!def) continue;
    if (subAttr === null) return { schema: schema.id, def, sub: null };
    const sub = def.subAttributes?.find((s) => s.name.toLowerCase() === subAttr.toLowerCase());
    if (!sub) return null;
    return { schema: schema.id, def, sub };
  }
  return null;
}
