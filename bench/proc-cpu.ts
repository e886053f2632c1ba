/**
 * CPU time of a process and its descendants, from Linux's /proc (clock ticks of
 * 10 ms): the SCIM bench's server may be a primary with several server
 * processes (`serve --processes N`). Null where there is no /proc.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ServerCpu } from './load.js';

const TICK_MICROS = 10_000;

/** utime + stime of a /proc stat line (fields 14 and 15), in ticks. */
function ticksOf(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** The pid and every descendant, through each thread's `children` list. */
function tree(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift() as number;
    out.push(p);
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      const children = read(`/proc/${p}/task/${t}/children`);
      if (children) for (const c of children.trim().split(/\s+/)) if (c !== '') queue.push(Number(c));
    }
  }
  return out;
}

export function treeCpu(pid: number): ServerCpu | null {
  let total = 0;
  let main = 0;
  let seen = false;
  for (const p of tree(pid)) {
    const whole = read(`/proc/${p}/stat`);
    const mainThread = read(`/proc/${p}/task/${p}/stat`);
    if (whole === null || mainThread === null) continue;
    seen = true;
    total += ticksOf(whole);
    main += ticksOf(mainThread);
  }
  return seen ? { totalMicros: total * TICK_MICROS, mainThreadMicros: main * TICK_MICROS } : null;
}
