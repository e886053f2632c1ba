/**
 * Password policies through the management API: the hub's policies (the org
 * default and group policies) in Okta's PASSWORD policy shape, and a PUT that
 * maps `settings.password.{complexity, age, lockout}` back onto the hub's
 * settings (validated by the one policy parser, every problem at once).
 */
import { notFound } from '../../core/errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import { validatePolicySettings } from '../../core/password-policy.js';
import type { Org, PasswordPolicy } from '../../core/types.js';
import { nowIso, type Actor, type ServiceContext } from '../context.js';
import { oktaMalformed, oktaValidation } from './errors.js';

export const POLICY_TYPES = ['OKTA_SIGN_ON', 'PASSWORD', 'MFA_ENROLL', 'IDP_DISCOVERY', 'ACCESS_POLICY', 'PROFILE_ENROLLMENT'] as const;

export function oktaPolicyShape(p: PasswordPolicy): JsonObject {
  const s = p.settings;
  const isDefault = p.groupIds.length === 0;
  return {
    id: p.id,
    status: 'ACTIVE',
    name: p.name,
    description: isDefault ? 'The default password policy of the org.' : null,
    priority: p.priority,
    system: isDefault,
    type: 'PASSWORD',
    conditions: { people: { groups: { include: [...p.groupIds] } }, authProvider: { provider: 'OKTA' } },
    created: p.created,
    lastUpdated: p.lastUpdated,
    settings: {
      password: {
        complexity: {
          minLength: s.minLength,
          minLowerCase: s.minLowerCase,
          minUpperCase: s.minUpperCase,
          minNumber: s.minNumber,
          minSymbol: s.minSymbol,
          excludeUsername: s.excludeUsername,
          excludeAttributes: [...s.excludeAttributes],
          dictionary: { common: { exclude: s.excludeCommon } },
        },
        age: { maxAgeDays: s.maxAgeDays, expireWarnDays: 0, minAgeMinutes: s.minAgeMinutes, historyCount: s.historyCount },
        lockout: { maxAttempts: s.lockoutAttempts, autoUnlockMinutes: -1, showLockoutFailures: false },
      },
    },
  };
}

const obj = (v: JsonValue | undefined, path: string): JsonObject => {
  if (v === undefined) return {};
  if (!isJsonObject(v)) throw oktaMalformed(`${path} must be an object.`);
  return v;
};

/** The settings a PUT body gives, as the hub's setting names (absent ones keep their value). */
export function settingsInput(body: unknown): { name?: string; settings: Record<string, unknown> } {
  if (!isJsonObject(body)) throw oktaMalformed('The body must be a policy object.');
  if (body['type'] !== undefined && body['type'] !== 'PASSWORD') throw oktaValidation('type', 'A password policy keeps the type PASSWORD.');
  const name = body['name'];
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '' || name.length > 255)) throw oktaValidation('name', 'The name must be 1 to 255 characters.');
  const pw = obj(obj(body['settings'], 'settings')['password'], 'settings.password');
  const c = obj(pw['complexity'], 'settings.password.complexity');
  const age = obj(pw['age'], 'settings.password.age');
  const lockout = obj(pw['lockout'], 'settings.password.lockout');
  const common = obj(obj(c['dictionary'], 'settings.password.complexity.dictionary')['common'], 'settings.password.complexity.dictionary.common');
  const pairs: [string, JsonValue | undefined][] = [
    ['minLength', c['minLength']],
    ['minLowerCase', c['minLowerCase']],
    ['minUpperCase', c['minUpperCase']],
    ['minNumber', c['minNumber']],
    ['minSymbol', c['minSymbol']],
    ['excludeUsername', c['excludeUsername']],
    ['excludeAttributes', c['excludeAttributes']],
    ['excludeCommon', common['exclude']],
    ['minAgeMinutes', age['minAgeMinutes']],
    ['maxAgeDays', age['maxAgeDays']],
    ['historyCount', age['historyCount']],
    ['lockoutAttempts', lockout['maxAttempts']],
  ];
  const settings = Object.fromEntries(pairs.filter(([, v]) => v !== undefined && v !== null));
  return { ...(typeof name === 'string' ? { name: name.trim() } : {}), settings };
}

export class OktaPolicies {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly org: Org,
  ) {}

  /** Policies of a type: the hub has password policies only, so other types list none. */
  async list(type: string | null): Promise<PasswordPolicy[]> {
    if (type === null || type === '') throw oktaValidation('type', `The type parameter is required: one of ${POLICY_TYPES.join(', ')}.`);
    if (!(POLICY_TYPES as readonly string[]).includes(type)) throw oktaValidation('type', `Unknown policy type ${JSON.stringify(type.slice(0, 40))}; one of ${POLICY_TYPES.join(', ')}.`);
    if (type !== 'PASSWORD') return [];
    const all = await this.ctx.store.read((s) => s.org(this.org.id).policies.list());
    return [...all].sort((a, b) => a.priority - b.priority);
  }

  async get(id: string): Promise<PasswordPolicy> {
    const p = (await this.ctx.store.read((s) => s.org(this.org.id).policies.list())).find((x) => x.id === id);
    if (!p) throw notFound('OKTA_NOT_FOUND', `Not found: Resource not found: ${id} (Policy)`);
    return p;
  }

  /** PUT: the settings given replace the current ones (absent ones are kept); an event records the change. */
  async replace(id: string, body: unknown, actor: Actor): Promise<PasswordPolicy> {
    const current = await this.get(id);
    const input = settingsInput(body);
    const settings = validatePolicySettings(input.settings, current.settings);
    const now = nowIso(this.ctx);
    const updated: PasswordPolicy = { ...current, ...(input.name !== undefined ? { name: input.name } : {}), settings, lastUpdated: now };
    await this.ctx.store.transaction(async (tx) => {
      const scope = tx.org(this.org.id);
      await scope.policies.update(updated);
      await scope.events.append({ id: this.ctx.ids.id('evt'), type: 'policy.lifecycle.update', actor, targetType: 'policy', targetId: id, data: { settings }, created: now });
    });
    return updated;
  }
}
