/**
 * Reading a secret: from piped stdin (`--password-stdin`), or typed at the
 * terminal with echo off (the prompt goes to stderr, stdin is read in raw mode
 * and nothing typed is written back). The value is returned to the caller and
 * never printed.
 */
import type { ReadStream } from 'node:tty';
import { invalid } from '../core/errors.js';
import { CliCancelled, CliUsageError } from './output.js';

/** Reads all of stdin; one trailing newline (`\n` or `\r\n`) is dropped, as `echo` adds one. */
export async function readSecretFromStdin(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (text === '') {
    throw new CliUsageError('CLI_STDIN_EMPTY', 'No password on stdin: --password-stdin reads the password from standard input, which was empty. Pipe it in, e.g. `printf "%s\\n" "$PASSWORD" | idsync ...`.');
  }
  if (/[\r\n]/.test(text)) {
    throw new CliUsageError('CLI_STDIN_LINES', 'The password on stdin spans several lines: give exactly one line (one trailing newline is allowed).');
  }
  return text;
}

function requireTerminal(input: NodeJS.ReadableStream): ReadStream {
  const tty = input as Partial<ReadStream>;
  if (tty.isTTY !== true || typeof tty.setRawMode !== 'function') {
    throw new CliUsageError('CLI_NO_TTY', 'Cannot prompt for a password: stdin is not a terminal. Pass --password-stdin and pipe the password in, e.g. `printf "%s\\n" "$PASSWORD" | idsync user set-password --org NAME LOGIN --password-stdin`.');
  }
  return input as ReadStream;
}

const ENTER = new Set(['\r', '\n']);
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const BACKSPACE = new Set(['\u007f', '\b']);
const ESC = '\u001b';

/**
 * Turns echo off, then shows the prompt (in that order: whatever is typed once the
 * prompt is visible must not be echoed), then collects characters until Enter.
 * Handles backspace, Ctrl-U, Ctrl-C and drops escape sequences (arrow keys).
 */
function readHiddenLine(input: ReadStream, output: NodeJS.WritableStream, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    // 0: normal, 1: after ESC, 2: inside a CSI sequence (ESC [ ... final byte).
    let escape = 0;
    const wasRaw = input.isRaw;
    const finish = (error?: Error): void => {
      input.removeListener('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string | Buffer): void => {
      for (const ch of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
        if (escape === 1) {
          escape = ch === '[' || ch === 'O' ? 2 : 0;
          continue;
        }
        if (escape === 2) {
          if (ch >= '@' && ch <= '~') escape = 0;
          continue;
        }
        if (ENTER.has(ch)) return finish();
        if (ch === CTRL_C || (ch === CTRL_D && value === '')) return finish(new CliCancelled());
        if (ch === CTRL_D) return finish();
        if (ch === ESC) escape = 1;
        else if (BACKSPACE.has(ch)) value = [...value].slice(0, -1).join('');
        else if (ch === CTRL_U) value = '';
        else if (ch >= ' ') value += ch;
      }
    };
    input.setRawMode(true);
    output.write(prompt);
    input.on('data', onData);
    input.resume();
  });
}

export interface PromptStreams {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/** Asks once, with echo off. Refuses when stdin is not a terminal. */
export async function promptHidden(prompt: string, streams: PromptStreams = {}): Promise<string> {
  const input = requireTerminal(streams.input ?? process.stdin);
  return readHiddenLine(input, streams.output ?? process.stderr, prompt);
}

/** Asks for a new password twice, with echo off, and checks both entries match. */
export async function promptNewPassword(streams: PromptStreams = {}): Promise<string> {
  const first = await promptHidden('New password: ', streams);
  if (first === '') throw invalid('CLI_PASSWORD_EMPTY', 'No password was typed; nothing was changed.');
  const second = await promptHidden('Repeat password: ', streams);
  if (first !== second) throw invalid('CLI_PASSWORD_MISMATCH', 'The two passwords typed do not match; nothing was changed. Run the command again.');
  return first;
}

/** The password for a command: from stdin with `--password-stdin`, else typed at the terminal. */
export async function readNewPassword(fromStdin: boolean, streams: PromptStreams = {}): Promise<string> {
  return fromStdin ? readSecretFromStdin(streams.input) : promptNewPassword(streams);
}
