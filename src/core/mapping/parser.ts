/**
 * Parser of the attribute-mapping expression language: a Pratt parser over the
 * tokens of lexer.ts into a small typed tree. Parsing happens once, when a
 * mapping is saved; evaluation then walks the tree for every user pushed.
 *
 * Grammar, loosest binding first (all binary operators are left-associative
 * except `? :` and `?:`, which group to the right):
 *
 *   expr     := test "?" expr ":" expr  |  test "?:" expr  |  test
 *   or       := and ("||" and)*
 *   and      := eq ("&&" eq)*
 *   eq       := concat (("==" | "!=") concat)*
 *   concat   := unary ("+" unary)*
 *   unary    := "!" unary | primary
 *   primary  := string | number | true | false | null | "(" expr ")"
 *             | "user." name | function "(" [expr ("," expr)*] ")"
 *
 * So `a + b == c ? x : y` reads as `((a + b) == c) ? x : y`.
 */
import { describeToken, failAt, MAX_EXPRESSION_LENGTH, tokenize, type Token } from './lexer.js';
import { FUNCTION_NAMES, lookupFunction, signature, type Value } from './functions.js';

/**
 * Parentheses, function calls, `!` and the middle branch of `? :` deeper than
 * this are refused, so neither parsing nor evaluation can exhaust the stack. The
 * `else` branch of `? :` and the right side of `?:` do not add a level: a long
 * `a ? x : b ? y : c ? z : w` chain reads as a flat list, and its length is
 * already bounded by MAX_EXPRESSION_LENGTH.
 */
export const MAX_EXPRESSION_DEPTH = 32;

export type BinaryOp = '+' | '==' | '!=' | '&&' | '||';

/** A node of the expression tree. `pos` is the 1-based position of the token that introduced it. */
export type Expr =
  | { kind: 'literal'; pos: number; value: Value }
  /** `user.<name>`: `id`, `status` and `externalId` are the user's own fields, any other name a profile attribute. */
  | { kind: 'attribute'; pos: number; name: string }
  /** `fn` is the canonical name (`String.toLowerCase` also for a bare `toLowerCase`). */
  | { kind: 'call'; pos: number; fn: string; args: Expr[] }
  | { kind: 'not'; pos: number; operand: Expr }
  | { kind: 'binary'; pos: number; op: BinaryOp; left: Expr; right: Expr }
  | { kind: 'conditional'; pos: number; test: Expr; then: Expr; otherwise: Expr }
  /** `left ?: right`: left unless it is null or the empty string. */
  | { kind: 'elvis'; pos: number; left: Expr; right: Expr };

/** A parsed expression: the source is what is stored and shown; the tree is what runs. */
export interface CompiledExpression {
  readonly source: string;
  readonly ast: Expr;
}

/** Binding power of each infix operator; higher binds tighter. */
const INFIX_BP: Partial<Record<Token['kind'], number>> = {
  '?': 10,
  '?:': 10,
  '||': 20,
  '&&': 30,
  '==': 40,
  '!=': 40,
  '+': 50,
};
/** `!` binds tighter than every infix operator: `!a == b` is `(!a) == b`. */
const PREFIX_BP = 60;

const OPERATOR_LIST = '+, ==, !=, &&, ||, ? :, ?:';
const VALUE_KINDS = 'a value (user.<attribute>, a function call, a string, a number, true, false, null, "(" or "!")';
/** A Map, not an object literal, so names like "constructor" are not found on a prototype. */
const LITERALS: ReadonlyMap<string, Value> = new Map<string, Value>([
  ['true', true],
  ['false', false],
  ['null', null],
]);

class Parser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly src: string,
    private readonly tokens: readonly Token[],
  ) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)] as Token;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.i += 1;
    return t;
  }

  fail(t: Token, expected: string): never {
    return failAt(this.src, t.pos, `expected ${expected}, found ${describeToken(t)}.`);
  }

  /** Runs `body` one nesting level deeper, refusing expressions nested beyond the limit. */
  nested<T>(pos: number, body: () => T): T {
    this.depth += 1;
    if (this.depth > MAX_EXPRESSION_DEPTH) {
      failAt(this.src, pos, `the expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep; simplify it.`);
    }
    const result = body();
    this.depth -= 1;
    return result;
  }

  /** Parses operators binding tighter than `minBp` (Pratt's loop). */
  expression(minBp: number): Expr {
    let left = this.prefix();
    for (;;) {
      const op = this.peek();
      const bp = INFIX_BP[op.kind];
      if (bp === undefined || bp <= minBp) return left;
      this.next();
      if (op.kind === '?') {
        const then = this.nested(op.pos, () => this.expression(0));
        const colon = this.peek();
        if (colon.kind !== ':') this.fail(colon, `an operator or ":" to complete the "?" at position ${op.pos}`);
        this.next();
        // bp - 1: a following `?` at the same level is parsed inside this else branch, grouping to the right.
        const otherwise = this.expression(bp - 1);
        left = { kind: 'conditional', pos: op.pos, test: left, then, otherwise };
      } else if (op.kind === '?:') {
        left = { kind: 'elvis', pos: op.pos, left, right: this.expression(bp - 1) };
      } else {
        const right = this.expression(bp);
        left = { kind: 'binary', pos: op.pos, op: op.kind as BinaryOp, left, right };
      }
    }
  }

  prefix(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'string':
      case 'number':
        return { kind: 'literal', pos: t.pos, value: t.value };
      case '(': {
        const inner = this.nested(t.pos, () => this.expression(0));
        const close = this.peek();
        if (close.kind !== ')') this.fail(close, `an operator (${OPERATOR_LIST}) or ")" to close the "(" at position ${t.pos}`);
        this.next();
        return inner;
      }
      case '!':
        return { kind: 'not', pos: t.pos, operand: this.nested(t.pos, () => this.expression(PREFIX_BP)) };
      case 'name':
        return this.name(t);
      default:
        return this.fail(t, VALUE_KINDS);
    }
  }

  /** A name starts a literal, `user.<attribute>`, `String.<function>(...)` or a bare function alias. */
  name(t: Token): Expr {
    if (LITERALS.has(t.text)) return { kind: 'literal', pos: t.pos, value: LITERALS.get(t.text) as Value };
    if (t.text === 'user') return this.attribute(t);
    if (t.text === 'String') {
      const dot = this.next();
      if (dot.kind !== '.') this.fail(dot, '"." and a function name after "String"');
      const fnTok = this.next();
      if (fnTok.kind !== 'name') this.fail(fnTok, 'a function name after "String."');
      return this.call(t.pos, `String.${fnTok.text}`);
    }
    if (this.peek().kind === '(') return this.call(t.pos, t.text);
    const lower = t.text.toLowerCase();
    if (LITERALS.has(lower)) return failAt(this.src, t.pos, `unknown name "${t.text}"; literals are lower case: write ${lower}.`);
    const following = this.peek(1);
    const example = this.peek().kind === '.' && following.kind === 'name' ? following.text : t.text;
    return failAt(
      this.src,
      t.pos,
      `unknown name "${t.text}"; attributes are read as user.<attribute>, e.g. user.${example}, and functions are called as String.toLowerCase(...).`,
    );
  }

  attribute(userTok: Token): Expr {
    const dot = this.next();
    if (dot.kind !== '.') this.fail(dot, '"." and an attribute name after "user"');
    const attr = this.next();
    if (attr.kind !== 'name') this.fail(attr, 'an attribute name after "user."');
    const after = this.peek();
    if (after.kind === '.') {
      failAt(
        this.src,
        after.pos,
        `"user.${attr.text}" cannot be followed by "."; profile attributes are flat, and functions are called as String.toLowerCase(user.${attr.text}).`,
      );
    }
    return { kind: 'attribute', pos: userTok.pos, name: attr.text };
  }

  /** The argument list of a call; `written` is the name as the expression spells it, for messages. */
  call(pos: number, written: string): Expr {
    const fn = lookupFunction(written);
    if (fn === null) {
      failAt(this.src, pos, `unknown function "${written}"; the functions are ${FUNCTION_NAMES.join(', ')}.`);
    }
    const open = this.next();
    if (open.kind !== '(') this.fail(open, `"(" after the function name ${written}`);
    const sig = signature(written, fn);
    const args = this.nested(open.pos, () => {
      const list: Expr[] = [];
      if (this.peek().kind === ')') {
        this.next();
        return list;
      }
      for (;;) {
        list.push(this.expression(0));
        const t = this.peek();
        if (t.kind === ')') {
          this.next();
          return list;
        }
        if (t.kind === ',' && list.length < fn.maxArgs) {
          this.next();
          continue;
        }
        const full = list.length >= fn.maxArgs;
        this.fail(t, `${full ? '")"' : '"," or ")"'} to close the call to ${written}${full && t.kind === ',' ? ` (it takes ${sig})` : ''}`);
      }
    });
    if (args.length < fn.minArgs) {
      const count = fn.maxArgs === Infinity ? `at least ${fn.minArgs} arguments` : `${fn.minArgs} argument${fn.minArgs === 1 ? '' : 's'}`;
      failAt(this.src, pos, `${written} takes ${count}: ${sig}; found ${args.length}.`);
    }
    return { kind: 'call', pos, fn: fn.name, args };
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind === ')') failAt(this.src, t.pos, '")" has no matching "(".');
    if (t.kind !== 'end') this.fail(t, `an operator (${OPERATOR_LIST}) or the end of the expression`);
  }
}

/**
 * Parses an expression once, when a mapping is saved. Throws
 * `MAPPING_INVALID_EXPRESSION` naming the position and what was expected.
 */
export function compileExpression(text: string): CompiledExpression {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    failAt(text, MAX_EXPRESSION_LENGTH + 1, `the expression is ${text.length} characters long; the limit is ${MAX_EXPRESSION_LENGTH}.`);
  }
  if (text.trim() === '') {
    failAt(text, 1, 'the expression is empty; expected something like user.firstName or String.toLowerCase(user.email).');
  }
  const parser = new Parser(text, tokenize(text));
  const ast = parser.expression(0);
  parser.expectEnd();
  return Object.freeze({ source: text, ast });
}
