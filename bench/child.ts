/**
 * Child processes of a bench: a TypeScript entry run under tsx (or a built .js one) with this
 * process's environment, whose first stdout line is its answer (a URL, a JSON
 * figure). Anything else it prints goes to our stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface Child {
  proc: ChildProcess;
  /** The first stdout line. */
  firstLine: Promise<string>;
  /** Sends a message over the IPC channel (started with `ipc`) and resolves with the child's first reply. */
  ask<T>(message: string): Promise<T>;
  /** Sends SIGTERM and waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

export function benchFile(name: string): string {
  return fileURLToPath(new URL(name, import.meta.url));
}

export function startChild(script: string, args: readonly string[], opts: { nodeFlags?: readonly string[]; ipc?: boolean; env?: NodeJS.ProcessEnv } = {}): Child {
  // TypeScript runs under tsx; a built entry (dist/*.js) runs as it ships, without tsx's loader.
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const proc = spawn(process.execPath, [...(opts.nodeFlags ?? []), ...loader, benchFile(script), ...args], {
    stdio: opts.ipc ? ['ignore', 'pipe', 'inherit', 'ipc'] : ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...opts.env },
  });
  const exited = once(proc, 'exit');
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
  const firstLine = new Promise<string>((resolve, reject) => {
    let first = true;
    lines.on('line', (line) => {
      if (first) {
        first = false;
        resolve(line);
      } else {
        process.stderr.write(`[${script}] ${line}\n`);
      }
    });
    proc.once('error', reject);
    proc.once('exit', (code, signal) => {
      if (first) reject(new Error(`${script} exited (code ${code}, signal ${signal}) before answering; see its output above.`));
    });
  });
  firstLine.catch(() => undefined);
  return {
    proc,
    firstLine,
    ask<T>(message: string) {
      return new Promise<T>((resolve, reject) => {
        proc.once('message', (reply) => resolve(reply as T));
        if (!proc.send(message)) reject(new Error(`${script} has no IPC channel or has exited.`));
      });
    },
    async stop(graceMs = 15_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
