/**
 * Real hub processes for org-to-org tests: `idsync serve --port 0 --db FILE` as a
 * child (the compiled CLI when dist/ is current, as scripts/test.sh builds it
 * first), its `default` org and token read from what serve prints, and helpers
 * that speak to it only over HTTP: /api/v1 with SSWS, /api/admin/v1 with Bearer.
 * Waiting is on observable state: a bounded loop of real requests to the source's
 * admin API until the app's queue is empty (no sleeps, no clock).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { exited, runCli, spawnCli } from '../cli/helpers.js';

/** Parsed JSON is typed loosely on purpose: tests assert on its shape. */
export type Json = any;

export interface Reply {
  status: number;
  headers: Headers;
  body: Json;
  text: string;
}

export interface HubProcess {
  name: string;
  url: string;
  db: string;
  orgId: string;
  /** The `default` org's API token, printed once by serve. */
  token: string;
  child: ChildProcess;
  /** /api/v1 with `Authorization: SSWS`. */
  api(method: string, urlPath: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** /api/admin/v1 with `Authorization: Bearer`. */
  admin(method: string, urlPath: string, body?: unknown): Promise<Reply>;
  /** Any path with exactly these headers. */
  raw(method: string, urlPath: string, init?: { body?: string; headers?: Record<string, string> }): Promise<Reply>;
  stderr(): string;
  stop(): Promise<void>;
}

export async function send(url: string, method: string, body: string | undefined, headers: Record<string, string>): Promise<Reply> {
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let parsed: Json;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Reads a child's output as it comes and resolves on the first match of a pattern, seen before or after the call. */
function outputOf(stream: NodeJS.ReadableStream): { text: () => string; match: (pattern: RegExp) => Promise<RegExpMatchArray> } {
  let text = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void; reject: (e: Error) => void }[] = [];
  const check = (): void => {
    for (const w of [...waiters]) {
      const m = w.pattern.exec(text);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  stream.setEncoding?.('utf8');
  stream.on('data', (d: string) => {
    text += d;
    check();
  });
  stream.on('end', () => {
    for (const w of waiters.splice(0)) w.reject(new Error(`output ended without ${w.pattern}; it was: ${text}`));
  });
  return {
    text: () => text,
    match: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve, reject });
        check();
      }),
  };
}

/** Starts `idsync serve` on a new database in `dir`; resolves once it listens. */
export async function startHubProcess(dir: string, name: string): Promise<HubProcess> {
  const db = path.join(dir, `${name}.db`);
  const child = spawnCli(['serve', '--port', '0', '--db', db], { IDSYNC_LOG_LEVEL: 'warn' });
  child.stdin?.end();
  const out = outputOf(child.stdout as NodeJS.ReadableStream);
  const err = outputOf(child.stderr as NodeJS.ReadableStream);
  const failed = exited(child).then(({ code, signal }) => {
    throw new Error(`idsync serve (${name}) exited ${code ?? signal} before listening: ${err.text()}${out.text()}`);
  });
  const [created, listening] = await Promise.race([Promise.all([out.match(/created org "default" \(id (org_\S+)\); its API token, shown once: (\S+)/), out.match(/listening on (http:\/\/\S+)/)]), failed]);
  const url = listening[1] as string;
  const token = created[2] as string;
  const json = (body: unknown): Record<string, string> => (body === undefined ? {} : { 'content-type': 'application/json' });
  const encode = (body: unknown): string | undefined => (body === undefined ? undefined : JSON.stringify(body));
  return {
    name,
    url,
    db,
    orgId: created[1] as string,
    token,
    child,
    api: (method, urlPath, body, headers = {}) => send(`${url}/api/v1${urlPath}`, method, encode(body), { authorization: `SSWS ${token}`, accept: 'application/json', ...json(body), ...headers }),
    admin: (method, urlPath, body) => send(`${url}/api/admin/v1${urlPath}`, method, encode(body), { authorization: `Bearer ${token}`, ...json(body) }),
    raw: (method, urlPath, init = {}) => send(`${url}${urlPath}`, method, init.body, init.headers ?? {}),
    stderr: () => err.text(),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const done = exited(child);
        child.kill('SIGTERM');
        await done;
      }
    },
  };
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'idsync-procs-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs the CLI against a process's database (for what only the CLI does, such as key rotation). */
export async function cliOn(hub: HubProcess, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCli([...args, '--db', hub.db]);
}

export const MAX_POLLS = 20_000;

/**
 * Waits until the source app has no pending or running job and links `linked`
 * users, asking the source's admin API again after each answer (bounded by
 * MAX_POLLS answers). An open task fails at once with its own words.
 */
export async function drained(source: HubProcess, app: string, linked: number): Promise<Json> {
  let last: Json;
  for (let i = 0; i < MAX_POLLS; i++) {
    const res = await source.admin('GET', `/apps/${encodeURIComponent(app)}`);
    if (res.status !== 200) throw new Error(`GET app ${app}: ${res.status} ${res.text}`);
    last = res.body;
    if (last.counts.openTasks > 0) {
      const tasks = await source.admin('GET', `/tasks?state=open&app=${encodeURIComponent(app)}`);
      throw new Error(`app ${app} opened a task: ${JSON.stringify(tasks.body.tasks.map((t: Json) => [t.code, t.message, t.targetMessage]))}`);
    }
    if (last.counts.pendingJobs === 0 && last.counts.linkedUsers === linked) return last;
  }
  throw new Error(`app ${app} did not drain after ${MAX_POLLS} polls: ${JSON.stringify(last?.counts)}`);
}

/** Like `drained`, for a run that must end in exactly one open task with this code. */
export async function taskOpened(source: HubProcess, app: string, code: string): Promise<Json> {
  for (let i = 0; i < MAX_POLLS; i++) {
    const res = await source.admin('GET', `/tasks?state=open&app=${encodeURIComponent(app)}`);
    const found = (res.body.tasks as Json[]).find((t) => t.code === code);
    if (found) return found;
  }
  throw new Error(`no ${code} task opened for app ${app} after ${MAX_POLLS} polls`);
}
