/**
 * Runs the real CLI as a child process (the compiled `dist/cli/main.js`, or the sources through tsx)
 * against a temporary SQLite file, and waits for output lines without sleeping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Newest modification time of any file under `dir` (ms). */
function newest(dir: string): number {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

/**
 * The compiled CLI when `dist/` is at least as new as `src/` (scripts/test.sh
 * builds it first): it starts in a fraction of the time tsx needs, which is most
 * of these tests' run time. Otherwise the sources through tsx.
 */
function cliCommand(): string[] {
  const built = path.join(ROOT, 'dist/cli/main.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newest(path.join(ROOT, 'src'))) return [built];
  return ['--import', 'tsx', 'src/cli/main.ts'];
}

export const CLI = cliCommand();

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Env for children: no inherited IDSYNC_DB, quiet logs unless a test asks. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env['IDSYNC_DB'];
  if (!('IDSYNC_LOG_LEVEL' in extra)) env['IDSYNC_LOG_LEVEL'] = 'warn';
  return env;
}

export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Runs one command to the end; `input` is written to stdin, which is then closed. */
export async function runCli(args: readonly string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const child = spawnCli(args, opts.env);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin?.end(opts.input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs a command that must succeed and parses its JSON stdout. */
export async function runJson<T = unknown>(args: readonly string[], opts: { input?: string } = {}): Promise<T> {
  const r = await runCli([...args, '--json'], opts);
  if (r.code !== 0) throw new Error(`idsync ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

/** Resolves with the first line of `stream` matching `pattern`; rejects if the stream ends first. */
export function waitForLine(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer | string): void => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      const hit = lines.find((l) => pattern.test(l));
      if (hit !== undefined) {
        cleanup();
        resolve(hit);
      }
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error(`stream ended without a line matching ${pattern}`));
    };
    const cleanup = (): void => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
  });
}

/** Resolves once `text` has appeared anywhere in `stream` (for prompts, which end without a newline). */
export function waitForText(stream: NodeJS.ReadableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer | string): void => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        cleanup();
        resolve();
      }
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error(`stream ended before ${JSON.stringify(text)} appeared; saw ${JSON.stringify(seen)}`));
    };
    const cleanup = (): void => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
  });
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** A fresh directory in os.tmpdir() holding `idsync.db`; `cleanup` removes it. */
export async function tempDb(): Promise<{ dir: string; db: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'idsync-cli-'));
  return { dir, db: path.join(dir, 'idsync.db'), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Creates an org and returns its name and first token secret. */
export async function createOrg(db: string, name: string): Promise<{ id: string; secret: string }> {
  const r = await runJson<{ org: { id: string }; token: { secret: string } }>(['org', 'create', name, '--db', db]);
  return { id: r.org.id, secret: r.token.secret };
}
