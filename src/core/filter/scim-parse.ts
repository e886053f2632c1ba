/**
 * SCIM filter and PATCH path parser (RFC 7644 3.4.2.2 and 3.5.2), by hand: a
 * tokenizer and a recursive-descent parser into the shared `Filter` tree. Every
 * error names the 1-based column, what was expected and what was found, because
 * the person reading it is usually debugging an IdP's configuration, not our code.
 */
import { invalid, type IdsyncError } from '../errors.js';
import { COMPARE_OPS, type AttrPath, type CompareOp, type Filter, type FilterValue, type PatchPath } from './ast.js';

/** Longer inputs are refused before tokenizing so cost stays bounded per request. */
export const MAX_FILTER_LENGTH = 4096;
/** Parentheses and brackets deeper than this are refused, so recursion can never overflow the stack. */
export const MAX_FILTER_DEPTH = 32;

type Token =
  | { kind: '(' | ')' | '[' | ']'; pos: number; text: string }
  | { kind: 'string'; pos: number; text: string; value: string }
  | { kind: 'word'; pos: number; text: string }
  | { kind: 'end'; pos: number; text: '' };

interface Mode {
  /** 'Filter' or 'Path', the noun every message starts with. */
  noun: string;
  fail: (message: string) => IdsyncError;
}

const FILTER_MODE: Mode = {
  noun: 'Filter',
  fail: (message) => invalid('SCIM_INVALID_FILTER', message, { scimType: 'invalidFilter' }),
};
const PATH_MODE: Mode = {
  noun: 'Path',
  fail: (message) => invalid('SCIM_INVALID_PATH', message, { scimType: 'invalidPath' }),
};

const OPERATOR_LIST = 'eq, ne, co, sw, ew, gt, ge, lt, le, pr';
const VALUE_KINDS = 'a value (a quoted string, a number, true, false or null)';
const NAME_RE = /^(?:\$ref|[A-Za-z][A-Za-z0-9_-]*)$/;
const NUMBER_RE = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function failAt(mode: Mode, pos: number, detail: string): never {
  throw mode.fail(`${mode.noun} is invalid at position ${pos}: ${detail}`);
}

function describe(t: Token, mode: Mode): string {
  if (t.kind === 'end') return `end of ${mode.noun.toLowerCase()}`;
  const text = t.text.length > 40 ? `${t.text.slice(0, 40)}...` : t.text;
  return t.kind === 'string' ? `string ${text}` : `"${text}"`;
}

// ---------------------------------------------------------------- tokenizer

function readString(src: string, start: number, mode: Mode): Token {
  // Most strings (userNames, ids) have no escapes: one slice instead of a character at a time.
  const close = src.indexOf('"', start + 1);
  if (close > 0) {
    const backslash = src.indexOf('\\', start + 1);
    if (backslash < 0 || backslash > close) return { kind: 'string', pos: start + 1, text: src.slice(start, close + 1), value: src.slice(start + 1, close) };
  }
  let value = '';
  let i = start + 1;
  while (i < src.length) {
    const ch = src[i] as string;
    if (ch === '"') return { kind: 'string', pos: start + 1, text: src.slice(start, i + 1), value };
    if (ch !== '\\') {
      value += ch;
      i += 1;
      continue;
    }
    const esc = src[i + 1] ?? '';
    if (esc === 'u') {
      const hex = src.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) failAt(mode, i + 1, `invalid escape "\\u${hex}" in string; expected \\u and four hex digits.`);
      value += String.fromCharCode(parseInt(hex, 16));
      i += 6;
      continue;
    }
    const decoded = ESCAPES[esc];
    if (decoded === undefined) failAt(mode, i + 1, `invalid escape "\\${esc}" in string; expected one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX.`);
    value += decoded;
    i += 2;
  }
  return failAt(mode, start + 1, 'unterminated string; expected a closing ".');
}

/** The end of the word starting at `from`: the next whitespace, bracket, parenthesis or quote. */
const WORD_END = /[\s()[\]"]/g;

function wordEnd(src: string, from: number): number {
  WORD_END.lastIndex = from;
  return WORD_END.exec(src)?.index ?? src.length;
}

function tokenize(src: string, mode: Mode): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i] as string;
    if (ch === ' ' || /\s/.test(ch)) {
      i += 1;
    } else if (ch === '(' || ch === ')' || ch === '[' || ch === ']') {
      tokens.push({ kind: ch, pos: i + 1, text: ch });
      i += 1;
    } else if (ch === '"') {
      const t = readString(src, i, mode);
      tokens.push(t);
      i += t.text.length;
    } else {
      const j = wordEnd(src, i + 1);
      tokens.push({ kind: 'word', pos: i + 1, text: src.slice(i, j) });
      i = j;
    }
  }
  tokens.push({ kind: 'end', pos: src.length + 1, text: '' });
  return tokens;
}

// ---------------------------------------------------------------- attribute paths

function checkName(name: string, pos: number, mode: Mode): void {
  if (NAME_RE.test(name)) return;
  if (name === '') failAt(mode, pos, 'expected an attribute name (a letter followed by letters, digits, "-" or "_").');
  if (!/^[A-Za-z]/.test(name)) {
    failAt(mode, pos, `attribute name "${name}" must start with a letter, found "${name[0] ?? ''}".`);
  }
  const bad = name.search(/[^A-Za-z0-9_-]/);
  failAt(mode, pos + bad, `unexpected character "${name[bad] ?? ''}" in attribute name "${name}"; expected a letter, digit, "-" or "_".`);
}

/** `[urn:...:]attr[.sub]`; the schema is the URN up to the last colon, since URNs themselves contain dots ("2.0"). */
function parseAttrPath(t: Token, mode: Mode): AttrPath {
  const text = t.text;
  let schema: string | null = null;
  let offset = 0;
  if (/^urn:/i.test(text)) {
    offset = text.lastIndexOf(':') + 1;
    schema = text.slice(0, offset - 1);
  }
  const parts = text.slice(offset).split('.');
  if (parts.length > 2) {
    const secondDot = text.indexOf('.', offset + (parts[0]?.length ?? 0) + 1);
    failAt(mode, t.pos + secondDot, `attribute path "${text}" has more than one sub-attribute; expected attribute or attribute.subAttribute.`);
  }
  const attr = parts[0] ?? '';
  checkName(attr, t.pos + offset, mode);
  const subAttr = parts[1] ?? null;
  if (subAttr !== null) checkName(subAttr, t.pos + offset + attr.length + 1, mode);
  return { schema, attr, subAttr };
}

function pathText(p: AttrPath): string {
  const base = p.schema === null ? p.attr : `${p.schema}:${p.attr}`;
  return p.subAttr === null ? base : `${base}.${p.subAttr}`;
}

// ---------------------------------------------------------------- values

/**
 * Quirk: Microsoft's SCIM reference test collection (the Entra ID Postman suite)
 * sends unquoted values: `userName sw O`, `name.FamilyName eq Employee`,
 * `meta.Created gt 2015-10-10T14:38:21.8617979-07:00`, `emails.Value co example.com`.
 * RFC 7644 has no such form, but refusing it fails that suite, so a bare word that
 * is not true/false/null/a number is read as a string. The logical keywords are not
 * accepted as bare values: `userName eq and ...` is far more likely a missing value.
 */
function bareWordValue(t: Token & { kind: 'word' }, mode: Mode): string {
  const lower = t.text.toLowerCase();
  if (lower === 'and' || lower === 'or' || lower === 'not') {
    failAt(mode, t.pos, `expected ${VALUE_KINDS}, found the keyword "${t.text}"; quote it if it is the value.`);
  }
  return t.text;
}

function wordValue(t: Token & { kind: 'word' }, mode: Mode): FilterValue {
  // ABNF literals are case-insensitive, so True and NULL are the literals too.
  const lower = t.text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (NUMBER_RE.test(t.text)) {
    const n = Number(t.text);
    if (!Number.isFinite(n)) failAt(mode, t.pos, `number ${t.text} is out of range.`);
    return n;
  }
  return bareWordValue(t, mode);
}

// ---------------------------------------------------------------- parser

const isKeyword = (t: Token, word: string): boolean => t.kind === 'word' && t.text.toLowerCase() === word;

/** Nested and/or of the same kind are flattened so consumers see one n-ary node. */
function combine(op: 'and' | 'or', parts: Filter[]): Filter {
  if (parts.length === 1) return parts[0] as Filter;
  const filters = parts.flatMap((f) => (f.op === op ? f.filters : [f]));
  return op === 'and' ? { op: 'and', filters } : { op: 'or', filters };
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly tokens: readonly Token[],
    readonly mode: Mode,
  ) {}

  peek(): Token {
    return this.tokens[this.i] as Token;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.i += 1;
    return t;
  }

  fail(t: Token, expected: string): never {
    return failAt(this.mode, t.pos, `expected ${expected}, found ${describe(t, this.mode)}.`);
  }

  /** Runs `body` one nesting level deeper, refusing inputs that nest beyond the limit. */
  nested<T>(open: Token, close: ')' | ']', body: () => T): T {
    this.depth += 1;
    if (this.depth > MAX_FILTER_DEPTH) {
      failAt(this.mode, open.pos, `the filter is nested more than ${MAX_FILTER_DEPTH} levels deep; simplify it.`);
    }
    const result = body();
    const t = this.peek();
    if (t.kind !== close) this.fail(t, `"and", "or" or "${close}" to close the "${open.text}" at position ${open.pos}`);
    this.next();
    this.depth -= 1;
    return result;
  }

  parseOr(inValuePath: boolean): Filter {
    const parts = [this.parseAnd(inValuePath)];
    while (isKeyword(this.peek(), 'or')) {
      this.next();
      parts.push(this.parseAnd(inValuePath));
    }
    return combine('or', parts);
  }

  parseAnd(inValuePath: boolean): Filter {
    const parts = [this.parseUnary(inValuePath)];
    while (isKeyword(this.peek(), 'and')) {
      this.next();
      parts.push(this.parseUnary(inValuePath));
    }
    return combine('and', parts);
  }

  parseUnary(inValuePath: boolean): Filter {
    const t = this.peek();
    if (t.kind === '(') {
      this.next();
      return this.nested(t, ')', () => this.parseOr(inValuePath));
    }
    if (isKeyword(t, 'not')) {
      this.next();
      const open = this.peek();
      if (open.kind !== '(') this.fail(open, '"(" after "not"');
      this.next();
      return { op: 'not', filter: this.nested(open, ')', () => this.parseOr(inValuePath)) };
    }
    if (t.kind !== 'word') this.fail(t, 'an attribute name, "(" or "not"');
    return this.parseAttrExpr(inValuePath);
  }

  parseAttrExpr(inValuePath: boolean): Filter {
    const nameTok = this.next();
    const path = parseAttrPath(nameTok, this.mode);
    if (this.peek().kind === '[') {
      if (inValuePath) failAt(this.mode, this.peek().pos, 'value filters cannot be nested inside another "[...]".');
      const filter = this.parseValueFilter(path);
      const after = this.peek();
      if (after.kind === 'word' && after.text.startsWith('.')) {
        failAt(this.mode, after.pos, `a sub-attribute after "]" is only allowed in PATCH paths; use ${path.attr}[...] and ${path.attr}.sub in separate expressions.`);
      }
      return { op: 'valuePath', path, filter };
    }
    const opTok = this.next();
    const op = opTok.kind === 'word' ? opTok.text.toLowerCase() : '';
    if (op === 'pr') return { op: 'present', path };
    if (!(COMPARE_OPS as readonly string[]).includes(op)) {
      this.fail(opTok, `a comparison operator (${OPERATOR_LIST}) after "${nameTok.text}"`);
    }
    return { op: 'compare', path, cmp: op as CompareOp, value: this.parseValue(opTok) };
  }

  /** `attr[filter]`: the inner filter's paths are relative to each element of `attr`. */
  parseValueFilter(path: AttrPath): Filter {
    const open = this.next();
    if (path.subAttr !== null) {
      failAt(this.mode, open.pos, `a value filter "[...]" must follow a multi-valued attribute, not the sub-attribute "${pathText(path)}".`);
    }
    return this.nested(open, ']', () => this.parseOr(true));
  }

  parseValue(opTok: Token): FilterValue {
    const t = this.next();
    if (t.kind === 'string') return t.value;
    if (t.kind !== 'word') this.fail(t, `${VALUE_KINDS} after "${opTok.text}"`);
    return wordValue(t, this.mode);
  }

  expectEnd(expected: string): void {
    const t = this.peek();
    if (t.kind === ')' || t.kind === ']') {
      failAt(this.mode, t.pos, `"${t.text}" has no matching "${t.kind === ')' ? '(' : '['}".`);
    }
    if (t.kind !== 'end') this.fail(t, expected);
  }
}

function checkInput(text: string, mode: Mode): void {
  if (text.length > MAX_FILTER_LENGTH) {
    failAt(mode, MAX_FILTER_LENGTH + 1, `the ${mode.noun.toLowerCase()} is ${text.length} characters long; the limit is ${MAX_FILTER_LENGTH}.`);
  }
  if (text.trim() === '') {
    const example = mode === FILTER_MODE ? 'userName eq "bjensen"' : 'emails[type eq "work"].value';
    failAt(mode, 1, `the ${mode.noun.toLowerCase()} is empty; expected something like ${example}.`);
  }
}

/** Parses a SCIM filter (the `filter` query parameter or SearchRequest member). */
export function parseScimFilter(text: string): Filter {
  checkInput(text, FILTER_MODE);
  const parser = new Parser(tokenize(text, FILTER_MODE), FILTER_MODE);
  const filter = parser.parseOr(false);
  parser.expectEnd('"and", "or" or the end of the filter');
  return filter;
}

/** Parses a PATCH operation path: `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub`, each optionally URN-prefixed. */
export function parsePatchPath(text: string): PatchPath {
  checkInput(text, PATH_MODE);
  const parser = new Parser(tokenize(text, PATH_MODE), PATH_MODE);
  const first = parser.next();
  if (first.kind !== 'word') parser.fail(first, 'an attribute name');
  const path = parseAttrPath(first, PATH_MODE);
  if (parser.peek().kind !== '[') {
    parser.expectEnd('the end of the path (a path is attribute, attribute.sub or attribute[filter].sub)');
    return { schema: path.schema, attr: path.attr, valueFilter: null, subAttr: path.subAttr };
  }
  const valueFilter = parser.parseValueFilter(path);
  const subAttr = parseTrailingSub(parser);
  parser.expectEnd('the end of the path');
  return { schema: path.schema, attr: path.attr, valueFilter, subAttr };
}

/** The `.sub` after `attr[filter]` in a PATCH path. */
function parseTrailingSub(parser: Parser): string | null {
  const t = parser.peek();
  if (t.kind === 'end') return null;
  if (t.kind !== 'word' || !t.text.startsWith('.')) return parser.fail(t, '"." and a sub-attribute name, or the end of the path, after "]"');
  parser.next();
  const name = t.text.slice(1);
  const dot = name.indexOf('.');
  if (dot >= 0) failAt(parser.mode, t.pos + 1 + dot, `expected the end of the path after the sub-attribute, found "${name.slice(dot)}".`);
  checkName(name, t.pos + 1, parser.mode);
  return name;
}
