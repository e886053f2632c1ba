/** Writing a bench's JSON figures and printing its short human summary. */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { benchFile } from './child.js';
import type { LoadFigures } from './load.js';

export function machine(): { cpus: number; node: string } {
  return { cpus: os.cpus().length, node: process.version };
}

/** The commit measured, and whether src/ had uncommitted changes then (null outside a git checkout). */
export function source(): { commit: string; srcDirty: boolean } | null {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: benchFile('.'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { commit: git('rev-parse', 'HEAD'), srcDirty: git('status', '--porcelain', '--', '../src') !== '' };
  } catch {
    return null;
  }
}

/** The 1-minute load average: other work on the machine skews every figure. */
export function loadAverage(): number {
  return Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
}

export async function writeResults(name: string, figures: unknown): Promise<string> {
  const dir = benchFile('results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, `${JSON.stringify(figures, null, 2)}\n`);
  return file;
}

export interface Row {
  name: string;
  figures: LoadFigures;
  target?: string;
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
}

export function table(rows: readonly Row[]): string {
  const head = ['run', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'non2xx', 'errors', 'srv cpu us/req', 'main thread us/req', 'srv cores', 'target'];
  const body = rows.map((r) => [
    r.name,
    r.figures.requestsPerSecond.toFixed(1),
    String(r.figures.latencyMs.p50),
    String(r.figures.latencyMs.p90),
    String(r.figures.latencyMs.p99),
    String(r.figures.latencyMs.max),
    String(r.figures.non2xx),
    String(r.figures.errors),
    String(r.figures.cpu.serverMicrosecondsPerRequest ?? '-'),
    String(r.figures.cpu.serverMainThreadMicrosecondsPerRequest ?? '-'),
    String(r.figures.cpu.serverCores ?? '-'),
    r.target ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  return [pad(head, widths), pad(widths.map((w) => '-'.repeat(w)), widths), ...body.map((b) => pad(b, widths))].join('\n');
}
