/**
 * Rules about what the app would send for this user: the mapped userName (SCIM)
 * or login (hub) must not be empty and must meet the app's username rule; a
 * mapping that reads an attribute this profile lacks is named, because it
 * silently sends nothing.
 */
import { isIdsyncError } from '../errors.js';
import { buildScimUser, compileMappings, evaluate, referencedAttributes, toText, type CompiledExpression, type ExpressionInput } from '../mapping/index.js';
import { compileHubMappings } from '../provisioning/hub-mapping.js';
import { STANDARD_PROFILE_ATTRIBUTES } from '../types.js';
import { commands } from './rules-account.js';
import { usernameProblems } from './username.js';
import type { DoctorSnapshot, Finding } from './types.js';

interface Compiled {
  /** The attribute every account needs: userName (SCIM) or login (hub). */
  required: string;
  list: { target: string; expression: CompiledExpression }[];
  /** The value the app would send as `required`. */
  name: (input: ExpressionInput) => string;
}

function compile(s: DoctorSnapshot): Compiled | Finding {
  try {
    if (s.app.kind === 'hub') {
      const list = compileHubMappings(s.app.mappings);
      const login = list.find((m) => m.target === 'login');
      return { required: 'login', list, name: (input) => (login ? (toText(evaluate(login.expression, input)) ?? '') : '') };
    }
    const list = compileMappings(s.app.mappings);
    return {
      required: 'userName',
      list: list.map((m) => ({ target: m.target, expression: m.expression })),
      name: (input) => {
        const v = buildScimUser(list, input)['userName'];
        return typeof v === 'string' ? v : '';
      },
    };
  } catch (e) {
    if (!isIdsyncError(e)) throw e;
    return {
      code: 'DOCTOR_MAPPING_INVALID',
      severity: 'error',
      title: `${s.app.name}'s mappings do not compile`,
      explanation: `${s.app.name}'s stored mappings are refused: ${e.message}`,
      fix: [`Correct them: \`${commands(s).mappings}\`.`],
      details: { causes: [...e.causes] },
    };
  }
}

const BUILT_IN = new Set<string>(['id', 'status', 'externalId', ...STANDARD_PROFILE_ATTRIBUTES]);

function present(s: DoctorSnapshot, name: string): boolean {
  if (name === 'id' || name === 'status') return true;
  if (name === 'externalId') return s.user.externalId !== null && s.user.externalId !== '';
  const v = s.user.profile[name];
  return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
}

export function mappingRules(s: DoctorSnapshot): Finding[] {
  const compiled = compile(s);
  if (!('list' in compiled)) return [compiled];
  const c = commands(s);
  const input: ExpressionInput = { user: { id: s.user.id, status: s.user.status, externalId: s.user.externalId, profile: s.user.profile } };
  const out: Finding[] = [];
  const name = compiled.name(input);
  const mapping = compiled.list.find((m) => m.target === compiled.required);
  if (name === '') {
    const missing = mapping ? referencedAttributes(mapping.expression).filter((a) => !present(s, a)) : [];
    out.push({
      code: 'DOCTOR_MAPPING_EMPTY',
      severity: 'error',
      title: `${s.app.name}'s ${compiled.required} mapping gives nothing for ${s.user.login}`,
      explanation:
        mapping === undefined
          ? `${s.app.name} maps nothing to ${compiled.required}, which every account at the target needs: no account is created or updated for ${s.user.login}.`
          : `${s.app.name} maps ${compiled.required} from \`${mapping.expression.source}\`, which is empty for ${s.user.login}${missing.length > 0 ? ` (the profile has no ${missing.map((a) => `user.${a}`).join(', ')})` : ''}: no account is created or updated, so no password is pushed.`,
      fix: [
        missing.length > 0 ? `Fill ${missing.join(', ')} on ${s.user.login}'s profile, or change the mapping to fall back (e.g. \`${mapping?.expression.source ?? 'user.email'} ?: user.login\`): \`${c.mappings}\`.` : `Change the mapping: \`${c.mappings}\`.`,
      ],
      details: { target: compiled.required, expression: mapping?.expression.source ?? null, missingAttributes: missing },
    });
  } else if (s.app.usernameRule !== null) {
    const problems = usernameProblems(name, s.app.usernameRule);
    if (problems.length > 0) {
      out.push({
        code: 'DOCTOR_USERNAME_RULE',
        severity: 'error',
        title: `the ${compiled.required} "${name}" breaks ${s.app.name}'s ${s.app.usernameRule} username rule`,
        explanation: `${s.app.name} maps ${s.user.login} to the ${compiled.required} "${name}"${mapping ? ` (from \`${mapping.expression.source}\`)` : ''}, which the target's ${s.app.usernameRule} rule refuses: ${problems.join('; ')}. Nothing is sent for this user.`,
        fix: [
          `Change the ${compiled.required} mapping so it produces an accepted name (for example \`String.substringBefore(user.email, "@")\`): \`${c.mappings}\`; or change ${s.user.login}'s login; or, if the target accepts more, change the rule: \`${c.usernameRule}\`.`,
        ],
        details: { rule: s.app.usernameRule, value: name, problems },
      });
    }
  }
  // Attributes neither standard nor on this profile: most likely a typo, and the target gets nothing.
  for (const m of compiled.list) {
    if (m.target === compiled.required) continue;
    const unknown = referencedAttributes(m.expression).filter((a) => !BUILT_IN.has(a) && !present(s, a));
    if (unknown.length === 0) continue;
    const v = evaluate(m.expression, input);
    if (v !== null && v !== '') continue;
    out.push({
      code: 'DOCTOR_MAPPING_UNKNOWN_ATTRIBUTE',
      severity: 'warning',
      title: `${s.app.name}'s mapping of ${m.target} reads ${unknown.map((a) => `user.${a}`).join(', ')}, which ${s.user.login}'s profile lacks`,
      explanation: `\`${m.expression.source}\` (target ${m.target}) reads ${unknown.map((a) => `user.${a}`).join(', ')}: not a standard attribute and not on ${s.user.login}'s profile, so ${m.target} is sent empty (and cleared at the target).`,
      fix: [`Correct the attribute name or set it on the profile: \`${c.mappings}\`.`],
      details: { target: m.target, expression: m.expression.source, attributes: unknown },
    });
  }
  return out;
}
