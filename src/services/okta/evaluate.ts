/**
 * Applies the one filter tree to a resource in the management API's shape
 * (`shape.ts`), for the parts of a filter or search that have no column. It agrees
 * with the SQL translation where both apply (tested against it): strings compare
 * case-insensitively (NFC, lower case) except ids and enums, timestamps compare as
 * instants, `ne` is true when the property is absent, `pr` needs a non-empty value.
 */
import { ordered } from '../../core/filter/evaluate.js';
import type { AttrPath, CompareOp, Filter, FilterValue } from '../../core/filter/ast.js';
import { OKTA_GROUP_DATES, OKTA_USER_DATES, oktaPathText } from '../../core/filter/okta-parse.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';

const DATE_PATHS: ReadonlySet<string> = new Set<string>([...OKTA_USER_DATES, ...OKTA_GROUP_DATES]);
/** Compared exactly, as their columns are: ids and enum values (already upper-cased by the parser). */
const EXACT_PATHS: ReadonlySet<string> = new Set(['id', 'status', 'type', 'type.id']);

function valuesAt(resource: JsonObject, p: AttrPath): JsonValue[] {
  const top = resource[p.attr];
  const v = p.subAttr === null ? top : isJsonObject(top) ? top[p.subAttr] : undefined;
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.filter((e) => e !== null) : [v];
}

const fold = (s: string, exact: boolean): string => (exact ? s : s.normalize('NFC').toLowerCase());
const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);


function compareText(cmp: CompareOp, actual: string, wanted: string): boolean {
  if (cmp === 'co') return actual.includes(wanted);
  if (cmp === 'sw') return actual.startsWith(wanted);
  if (cmp === 'ew') return actual.endsWith(wanted);
  return ordered(cmp, actual < wanted ? -1 : actual > wanted ? 1 : 0);
}

function asNumber(v: FilterValue): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** One value against the wanted one; `cmp` is never `ne` here (ne is "no value equals"). */
function matchesOne(cmp: CompareOp, actual: JsonValue, wanted: FilterValue, name: string): boolean {
  if (wanted === null) return false;
  if (DATE_PATHS.has(name) && typeof actual === 'string' && typeof wanted === 'string' && !['co', 'sw', 'ew'].includes(cmp)) {
    const a = Date.parse(actual);
    const w = Date.parse(wanted);
    return !Number.isNaN(a) && !Number.isNaN(w) && ordered(cmp, sign(a - w));
  }
  if (typeof actual === 'boolean') {
    const w = typeof wanted === 'boolean' ? wanted : /^(true|false)$/i.test(String(wanted)) ? String(wanted).toLowerCase() === 'true' : null;
    return cmp === 'eq' && w === actual;
  }
  if (typeof actual === 'number') {
    const w = asNumber(wanted);
    if (cmp === 'co' || cmp === 'sw' || cmp === 'ew') return compareText(cmp, String(actual), String(wanted));
    return w !== null && ordered(cmp, sign(actual - w));
  }
  if (typeof actual === 'string') {
    const exact = EXACT_PATHS.has(name);
    return compareText(cmp, fold(actual, exact), fold(String(wanted), exact));
  }
  return false;
}

const isPresent = (v: JsonValue): boolean => v !== '' && !(Array.isArray(v) && v.length === 0) && !(isJsonObject(v) && Object.keys(v).length === 0);

function evalNode(f: Filter, resource: JsonObject): boolean {
  switch (f.op) {
    case 'and':
      return f.filters.every((g) => evalNode(g, resource));
    case 'or':
      return f.filters.some((g) => evalNode(g, resource));
    case 'not':
      return !evalNode(f.filter, resource);
    case 'present':
      return valuesAt(resource, f.path).some(isPresent);
    case 'valuePath':
      // The API's languages have no value filters; the parser refuses them.
      return false;
    case 'compare': {
      const name = oktaPathText(f.path);
      const values = valuesAt(resource, f.path);
      if (f.cmp === 'ne') return !values.some((v) => matchesOne('eq', v, f.value, name));
      return values.some((v) => matchesOne(f.cmp, v, f.value, name));
    }
  }
}

/** Whether `resource` (a user or group as `shape.ts` renders it) matches `filter`. */
export function evaluateOktaFilter(filter: Filter, resource: JsonObject): boolean {
  return evalNode(filter, resource);
}
