/**
 * A yardstick for this machine's speed at the moment of a run: one process per core,
 * each repeating a fixed piece of work shaped like a SCIM lookup's own (parse a
 * stored user's JSON, render it to JSON, hash an API token) for `--duration`
 * seconds, printing its rate as one JSON line. On a shared VM the speed of a core
 * moves by a quarter within minutes; a run's figures read against the yardstick
 * measured beside them tell the code's cost from the machine's mood.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { startChild } from './child.js';

export interface MachineSpeed {
  /** Units of work a second, summed over the processes (one per core). */
  opsPerSecond: number;
  processes: number;
}

const STORED = JSON.stringify({
  login: 'user12345@example.com',
  firstName: 'Grace',
  lastName: 'Hopper',
  email: 'user12345@example.com',
  emails: [{ value: 'user12345@example.com', type: 'work', primary: true }],
  meta: { created: '2026-12-04T14:46:35.698Z', lastModified: '2026-12-04T14:46:35.698Z', version: 'W/"1"' },
});
const TOKEN = `ids_${'A1b2C3d4E5'.repeat(4)}`;

function unit(i: number): number {
  const user = JSON.parse(STORED) as Record<string, unknown>;
  user['id'] = `usr_${i}`;
  const text = JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 1, Resources: [user] });
  return text.length + createHash('sha256').update(TOKEN).digest()[0]!;
}

/** The yardstick now: one child per core, side by side, for `seconds`. */
export async function machineSpeed(seconds: number): Promise<MachineSpeed> {
  const processes = Math.max(1, os.availableParallelism());
  const children = Array.from({ length: processes }, () => startChild('machine-speed.ts', ['--duration', String(seconds)]));
  try {
    const rates = await Promise.all(children.map(async (c) => (JSON.parse(await c.firstLine) as { opsPerSecond: number }).opsPerSecond));
    return { opsPerSecond: rates.reduce((a, b) => a + b, 0), processes };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

// Run as a child: `node --import tsx bench/machine-speed.ts --duration S`.
if (process.argv[1]?.endsWith('machine-speed.ts')) {
  const { values } = parseArgs({ options: { duration: { type: 'string', default: '2' } } });
  const end = performance.now() + Number(values.duration) * 1000;
  let ops = 0;
  let sink = 0;
  const start = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 200; i++) sink += unit(ops + i);
    ops += 200;
  }
  const seconds = (performance.now() - start) / 1000;
  process.stdout.write(`${JSON.stringify({ opsPerSecond: Math.round(ops / seconds), sink: sink % 2 })}\n`);
}
