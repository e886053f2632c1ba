/**
 * Rendering at the CLI edge: data as text or JSON on stdout, errors as
 * `error: <message>` (and one indented line per cause) on stderr, or as
 * `{"error":{...}}` on stdout with `--json`. Nothing else in the CLI writes.
 */
import { IdsyncError } from '../core/errors.js';

/** Exit codes: 1 for a refused or failed operation, 2 for a command used wrongly, 130 for a cancelled prompt. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_CANCELLED = 130;

/** A command line that cannot be run as written (bad value, missing input). Exits 2. */
export class CliUsageError extends IdsyncError {
  constructor(code: string, message: string, causes: string[] = []) {
    super('invalid', code, message, { causes });
    this.name = 'CliUsageError';
  }
}

/** The user cancelled an interactive prompt (Ctrl-C). Exits 130. */
export class CliCancelled extends IdsyncError {
  constructor() {
    super('invalid', 'CLI_CANCELLED', 'Cancelled.');
    this.name = 'CliCancelled';
  }
}

export interface Streams {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processStreams: Streams = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export function printLines(lines: string | readonly string[], streams: Streams = processStreams): void {
  const all = typeof lines === 'string' ? [lines] : lines;
  if (all.length > 0) streams.out(`${all.join('\n')}\n`);
}

export function printJson(value: unknown, streams: Streams = processStreams): void {
  streams.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints `data` as JSON when `json` is set, else the lines `text()` builds. */
export function emit(json: boolean | undefined, data: unknown, text: () => string | readonly string[]): void {
  if (json === true) printJson(data);
  else printLines(text());
}

const display = (v: unknown): string => (v === null || v === undefined || v === '' ? '-' : String(v));

/** A plain text table: a header row and left-aligned columns separated by two spaces. */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string[] {
  const cells = rows.map((r) => r.map(display));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(headers), ...cells.map(line)];
}

/** `key  value` lines with the keys aligned. */
export function keyValues(pairs: readonly (readonly [string, unknown])[], indent = ''): string[] {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${indent}${k.padEnd(width)}  ${Array.isArray(v) ? display(v.join(', ')) : display(v)}`);
}

/** The text of an error's underlying cause, for the operator running the CLI (never a stack). */
function underlyingCause(e: IdsyncError): string | null {
  const cause: unknown = e.cause;
  if (cause instanceof Error && cause.message) return cause.message;
  return null;
}

export function exitCodeOf(e: unknown): number {
  if (e instanceof CliCancelled) return EXIT_CANCELLED;
  if (e instanceof CliUsageError) return EXIT_USAGE;
  return EXIT_FAILURE;
}

/**
 * Renders any thrown value and returns the exit code. Family errors print their
 * message and causes; the CLI runs on the operator's own machine, so an unexposed
 * error (storage down) also shows the underlying driver message, still without a
 * stack. Anything else is a bug: a generic line plus its message.
 */
export function renderError(e: unknown, json: boolean, streams: Streams = processStreams): number {
  if (e instanceof IdsyncError) {
    const causes = [...e.causes];
    const underlying = e.expose ? null : underlyingCause(e);
    if (underlying !== null) causes.push(`cause: ${underlying}`);
    if (json) {
      printJson({ error: { code: e.code, message: e.message, causes } }, streams);
    } else {
      streams.err(`error: ${e.message}\n${causes.map((c) => `  ${c}\n`).join('')}`);
    }
    return exitCodeOf(e);
  }
  const message = e instanceof Error ? e.message : String(e);
  if (json) {
    printJson({ error: { code: 'INTERNAL', message: `Unexpected failure: ${message}`, causes: [] } }, streams);
  } else {
    streams.err(`error: unexpected failure (a bug in idsync; please report it): ${message}\n`);
    if (process.env['IDSYNC_DEBUG'] && e instanceof Error && e.stack) streams.err(`${e.stack}\n`);
  }
  return EXIT_FAILURE;
}
