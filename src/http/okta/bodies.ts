/**
 * Request bodies of the management API, checked into typed inputs. A body that is
 * not the structure an endpoint reads (unknown property, wrong type) is E0000003;
 * a value the structure allows but the API does not (blank login, unsupported
 * option) is E0000001 naming the field. Passwords are read, never echoed.
 */
import type { JsonValue } from '../../core/json.js';
import type { CredentialProvider, ProfileValue } from '../../core/types.js';
import type { ImportedHash } from '../../crypto/password-hash.js';
import { oktaMalformed, oktaValidation } from '../../services/okta/errors.js';
import { object, onlyKeys } from './body-shape.js';

export type Profile = Record<string, ProfileValue>;

export interface UserBody {
  profile?: Profile;
  password?: string;
  hash?: ImportedHash;
  provider?: CredentialProvider;
  groupIds?: string[];
}

export interface GroupBody {
  name: string;
  description: string | null;
}

/** Read-only properties a client may send back from a GET; they are ignored. */
const USER_READ_ONLY = ['id', 'status', 'created', 'activated', 'statusChanged', 'lastLogin', 'lastUpdated', 'passwordChanged', 'transitioningToStatus', '_links', '_embedded', 'type', 'realmId'];
const GROUP_READ_ONLY = ['id', 'created', 'lastUpdated', 'lastMembershipUpdated', 'objectClass', 'type', '_links', '_embedded'];
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const MAX_VALUE_CHARS = 4096;


function str(v: JsonValue | undefined, where: string): string {
  if (typeof v !== 'string') throw oktaMalformed(`${where} must be a string.`);
  return v;
}

function profileValue(name: string, v: JsonValue): ProfileValue {
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.length <= MAX_VALUE_CHARS) return v;
  if (Array.isArray(v) && v.every((e): e is string => typeof e === 'string' && e.length <= MAX_VALUE_CHARS)) return v;
  throw oktaValidation(name, `Expected a string (at most ${MAX_VALUE_CHARS} characters), number, boolean, null or a list of strings.`);
}

function readProfile(v: JsonValue | undefined, needLogin: boolean): Profile {
  const o = object(v, 'profile');
  const out: Profile = {};
  for (const [k, value] of Object.entries(o)) {
    if (!ATTRIBUTE_NAME.test(k)) throw oktaValidation(k.slice(0, 64), 'Property names start with a letter and contain only letters, digits and "_" (at most 64).');
    out[k] = profileValue(k, value);
  }
  const login = out['login'];
  if ((needLogin || 'login' in out) && (typeof login !== 'string' || login.trim() === '')) throw oktaValidation('login', 'The field cannot be left blank');
  return out;
}

const HASH_ALGORITHMS = ['BCRYPT', 'SHA-512', 'SHA-256', 'SHA-1', 'MD5', 'PBKDF2'] as const;

function readHash(v: JsonValue | undefined): ImportedHash {
  const o = object(v, 'credentials.password.hash');
  onlyKeys(o, ['algorithm', 'value', 'salt', 'saltOrder', 'workFactor', 'iterationCount', 'digestAlgorithm', 'keySize'], 'credentials.password.hash');
  const algorithm = str(o['algorithm'], 'credentials.password.hash.algorithm');
  if (!(HASH_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw oktaValidation('password', `Unknown hash algorithm ${JSON.stringify(algorithm.slice(0, 32))}; expected one of ${HASH_ALGORITHMS.join(', ')}.`);
  }
  const value = str(o['value'], 'credentials.password.hash.value');
  const salt = o['salt'] === undefined ? undefined : str(o['salt'], 'credentials.password.hash.salt');
  if (algorithm === 'PBKDF2') {
    const iterationCount = o['iterationCount'];
    if (typeof iterationCount !== 'number') throw oktaMalformed('credentials.password.hash.iterationCount must be a number for PBKDF2.');
    const digest = str(o['digestAlgorithm'], 'credentials.password.hash.digestAlgorithm');
    if (digest !== 'SHA1_HMAC' && digest !== 'SHA256_HMAC' && digest !== 'SHA512_HMAC') {
      throw oktaValidation('password', 'digestAlgorithm must be SHA1_HMAC, SHA256_HMAC or SHA512_HMAC.');
    }
    if (salt === undefined) throw oktaValidation('password', 'A PBKDF2 hash needs its salt.');
    return { algorithm, value, salt, iterationCount, digestAlgorithm: digest };
  }
  if (algorithm === 'BCRYPT') {
    const workFactor = o['workFactor'];
    if (typeof workFactor !== 'number') throw oktaMalformed('credentials.password.hash.workFactor must be a number for BCRYPT.');
    if (salt === undefined) throw oktaValidation('password', 'credentials.password.hash.salt is required for BCRYPT: the 22 characters after "$2b$NN$" in the bcrypt string.');
    // The formats of salt and value are checked where the stored form is made (encodeImportedHash).
    return { algorithm, value, salt, workFactor };
  }
  const saltOrder = o['saltOrder'] === undefined ? undefined : str(o['saltOrder'], 'credentials.password.hash.saltOrder');
  if (saltOrder !== undefined && saltOrder !== 'PREFIX' && saltOrder !== 'POSTFIX') throw oktaValidation('password', 'saltOrder must be PREFIX or POSTFIX.');
  return { algorithm: algorithm as 'MD5', value, ...(salt === undefined ? {} : { salt }), ...(saltOrder === undefined ? {} : { saltOrder }) };
}

const PROVIDERS: Readonly<Record<string, CredentialProvider | null>> = {
  OKTA: null,
  IMPORT: null,
  FEDERATION: 'FEDERATION',
  LDAP: 'LDAP',
  ACTIVE_DIRECTORY: 'ACTIVE_DIRECTORY',
};

function readCredentials(v: JsonValue | undefined, out: UserBody, creating: boolean): void {
  const o = object(v, 'credentials');
  onlyKeys(o, ['password', 'provider', 'recovery_question'], 'credentials');
  if (o['recovery_question'] !== undefined) throw oktaValidation('recovery_question', 'Recovery questions are not supported by this hub; leave them out.');
  if (o['password'] !== undefined) {
    const pw = object(o['password'], 'credentials.password');
    onlyKeys(pw, ['value', 'hash', 'hook'], 'credentials.password');
    if (pw['hook'] !== undefined) throw oktaValidation('password', 'Password import inline hooks are not supported by this hub; send the hash instead.');
    if (pw['value'] !== undefined && pw['hash'] !== undefined) throw oktaValidation('password', 'Send either value or hash, not both.');
    if (pw['value'] !== undefined) out.password = str(pw['value'], 'credentials.password.value');
    if (pw['hash'] !== undefined) {
      if (!creating) throw oktaValidation('password', 'An imported hash can only be given when the user is created; set a password value instead.');
      out.hash = readHash(pw['hash']);
    }
  }
  if (o['provider'] !== undefined) {
    const p = object(o['provider'], 'credentials.provider');
    onlyKeys(p, ['type', 'name'], 'credentials.provider');
    const type = p['type'] === undefined ? 'OKTA' : str(p['type'], 'credentials.provider.type');
    if (!(type in PROVIDERS)) throw oktaValidation('provider', `Unknown provider type ${JSON.stringify(type.slice(0, 32))}; expected OKTA, FEDERATION, LDAP or ACTIVE_DIRECTORY.`);
    const provider = PROVIDERS[type] ?? null;
    if (provider !== null) {
      if (!creating) throw oktaValidation('provider', 'The credential provider can only be chosen when the user is created.');
      if (out.password !== undefined || out.hash !== undefined) throw oktaValidation('password', `A user with ${type} credentials has no password in the hub; leave the password out.`);
      out.provider = provider;
    }
  }
}

/** POST /users (create), POST /users/{id} (partial update) and PUT /users/{id} (replace). */
export function readUserBody(body: unknown, mode: 'create' | 'update' | 'replace'): UserBody {
  const o = object(body ?? {}, 'The request body');
  onlyKeys(o, ['profile', 'credentials', ...(mode === 'create' ? ['groupIds'] : []), ...USER_READ_ONLY], 'the user');
  const out: UserBody = {};
  if (o['profile'] !== undefined || mode !== 'update') out.profile = readProfile(o['profile'], mode !== 'update');
  if (o['credentials'] !== undefined) readCredentials(o['credentials'], out, mode === 'create');
  if (o['groupIds'] !== undefined) {
    const ids = o['groupIds'];
    if (!Array.isArray(ids) || !ids.every((g): g is string => typeof g === 'string')) throw oktaMalformed('groupIds must be a list of group ids.');
    if (ids.length > 100) throw oktaValidation('groupIds', 'At most 100 groups can be given when creating a user.');
    out.groupIds = [...new Set(ids)];
  }
  return out;
}

/** POST /groups and PUT /groups/{id}: `{profile: {name, description}}`. */
export function readGroupBody(body: unknown): GroupBody {
  const o = object(body ?? {}, 'The request body');
  onlyKeys(o, ['profile', ...GROUP_READ_ONLY], 'the group');
  const p = object(o['profile'], 'profile');
  onlyKeys(p, ['name', 'description'], 'the group profile');
  const name = p['name'];
  if (typeof name !== 'string' || name.trim() === '') throw oktaValidation('name', 'The field cannot be left blank');
  const description = p['description'];
  if (description !== undefined && description !== null && typeof description !== 'string') throw oktaMalformed('profile.description must be a string.');
  return { name, description: description ?? null };
}

/** POST /users/{id}/credentials/change_password: `{oldPassword: {value}, newPassword: {value}}`. */
export function readChangePassword(body: unknown): { oldPassword: string; newPassword: string } {
  const o = object(body ?? {}, 'The request body');
  onlyKeys(o, ['oldPassword', 'newPassword', 'revokeSessions'], 'the request');
  const value = (name: 'oldPassword' | 'newPassword'): string => {
    if (o[name] === undefined) throw oktaValidation(name, 'The field cannot be left blank');
    const v = object(o[name], name);
    onlyKeys(v, ['value'], name);
    return str(v['value'], `${name}.value`);
  };
  return { oldPassword: value('oldPassword'), newPassword: value('newPassword') };
}
