/**
 * Tokenizer of the attribute-mapping expression language, and the one way every
 * stage reports a bad expression. Positions are 1-based character offsets into
 * the source: the person reading an error is an admin looking at the text box
 * they typed into, not at our code.
 */
import { invalid, type IdsyncError } from '../errors.js';

/** Longer expressions are refused before tokenizing, so saving a mapping has a bounded cost. */
export const MAX_EXPRESSION_LENGTH = 2000;
/** Expressions shorter than this get the source and a caret line in their error message. */
const CARET_MAX_LENGTH = 120;

export type Punctuation = '+' | '==' | '!=' | '&&' | '||' | '!' | '?' | ':' | '?:' | '(' | ')' | ',' | '.';

export type Token =
  | { kind: 'string'; pos: number; text: string; value: string }
  | { kind: 'number'; pos: number; text: string; value: number }
  | { kind: 'name'; pos: number; text: string }
  | { kind: Punctuation; pos: number; text: string }
  | { kind: 'end'; pos: number; text: '' };

/**
 * Builds the MAPPING_INVALID_EXPRESSION error. Short single-line sources are
 * repeated under the message with a caret under the offending character, since
 * "position 17" alone makes the reader count.
 */
export function expressionError(source: string, pos: number, detail: string): IdsyncError {
  let message = `Expression is invalid at position ${pos}: ${detail}`;
  if (source.length > 0 && source.length <= CARET_MAX_LENGTH && !/[\r\n]/.test(source)) {
    // Tabs and other whitespace become single spaces so the caret stays under its column.
    const shown = source.replace(/\s/g, ' ');
    message += `\n  ${shown}\n  ${' '.repeat(Math.max(0, pos - 1))}^`;
  }
  return invalid('MAPPING_INVALID_EXPRESSION', message);
}

export function failAt(source: string, pos: number, detail: string): never {
  throw expressionError(source, pos, detail);
}

/** How a token is named in "found ..." clauses. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'end':
      return 'end of expression';
    case 'string':
      return `string ${t.text.length > 40 ? `${t.text.slice(0, 40)}...` : t.text}`;
    case 'number':
      return `number ${t.text}`;
    default:
      return `"${t.text}"`;
  }
}

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** Two-character operators first, so "==" is never read as "=" "=". */
const OPERATORS: readonly Punctuation[] = ['==', '!=', '&&', '||', '?:', '+', '!', '?', ':', '(', ')', ',', '.'];

/** Single characters that look like an operator of another language, with what to write instead. */
const NEAR_MISSES: Readonly<Record<string, string>> = {
  '=': '"=" is not an operator; use "==" to compare',
  '&': '"&" is not an operator; use "&&" for "and"',
  '|': '"|" is not an operator; use "||" for "or"',
  '-': '"-" is not supported; the language has "+" for concatenation only',
};

function readString(src: string, start: number): Token & { kind: 'string' } {
  const quote = src[start] as string;
  let value = '';
  let i = start + 1;
  while (i < src.length) {
    const ch = src[i] as string;
    if (ch === quote) return { kind: 'string', pos: start + 1, text: src.slice(start, i + 1), value };
    if (ch !== '\\') {
      value += ch;
      i += 1;
      continue;
    }
    const esc = src[i + 1] ?? '';
    if (esc === 'u') {
      const hex = src.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) failAt(src, i + 1, `invalid escape "\\u${hex}" in string; expected \\u and four hex digits.`);
      value += String.fromCharCode(parseInt(hex, 16));
      i += 6;
      continue;
    }
    const decoded = ESCAPES[esc];
    if (decoded === undefined) {
      const shown = esc === '' ? 'a lone "\\" at the end' : `"\\${esc}"`;
      failAt(src, i + 1, `invalid escape ${shown} in string; expected one of \\" \\' \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX.`);
    }
    value += decoded;
    i += 2;
  }
  return failAt(src, start + 1, `unterminated string; expected a closing ${quote}.`);
}

function readNumber(src: string, start: number): Token & { kind: 'number' } {
  let i = start;
  while (i < src.length && DIGIT.test(src[i] as string)) i += 1;
  if (src[i] === '.') {
    if (!DIGIT.test(src[i + 1] ?? '')) failAt(src, i + 2, 'expected a digit after the decimal point.');
    i += 1;
    while (i < src.length && DIGIT.test(src[i] as string)) i += 1;
  }
  const text = src.slice(start, i);
  const value = Number(text);
  if (!Number.isFinite(value)) failAt(src, start + 1, `number ${text.slice(0, 20)}... is out of range.`);
  return { kind: 'number', pos: start + 1, text, value };
}

/** Splits an expression into tokens, ending with an `end` token positioned just past the last character. */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  outer: while (i < src.length) {
    const ch = src[i] as string;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const t = readString(src, i);
      tokens.push(t);
      i += t.text.length;
      continue;
    }
    if (DIGIT.test(ch)) {
      const t = readNumber(src, i);
      tokens.push(t);
      i += t.text.length;
      continue;
    }
    if (NAME_START.test(ch)) {
      let j = i + 1;
      while (j < src.length && NAME_PART.test(src[j] as string)) j += 1;
      tokens.push({ kind: 'name', pos: i + 1, text: src.slice(i, j) });
      i = j;
      continue;
    }
    for (const op of OPERATORS) {
      if (src.startsWith(op, i)) {
        tokens.push({ kind: op, pos: i + 1, text: op });
        i += op.length;
        continue outer;
      }
    }
    const hint = NEAR_MISSES[ch];
    failAt(src, i + 1, hint !== undefined ? `${hint}.` : `unexpected character "${ch}".`);
  }
  tokens.push({ kind: 'end', pos: src.length + 1, text: '' });
  return tokens;
}
