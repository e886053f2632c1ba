/**
 * `npm run bench [-- NAME...] [--users N] [--duration S] [--warmup S] [--processes P] [--load-generator wrk|autocannon] [--cpu-prof DIR]`:
 * runs the named benches (all when none is named); each writes bench/results/NAME.json.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { scimBench, type LoadGenerator } from './scim.js';
import { wrkVersion } from './wrk.js';
import { provisioningBench } from './provisioning.js';

interface CommonOptions {
  users: number | undefined;
  durationSeconds: number;
  warmupSeconds: number;
  cpuProfDir: string | null;
  processes: number | undefined;
  loadGenerator: LoadGenerator;
}

/** SCIM server processes by default: one per core, as a server would be run on this machine. */
const DEFAULT_PROCESSES = Math.max(1, os.availableParallelism());

const BENCHES: Record<string, (o: CommonOptions) => Promise<void>> = {
  scim: (o) => scimBench({ users: o.users ?? 100_000, durationSeconds: o.durationSeconds, warmupSeconds: o.warmupSeconds, cpuProfDir: o.cpuProfDir, processes: o.processes ?? DEFAULT_PROCESSES, loadGenerator: o.loadGenerator }),
  provisioning: (o) => provisioningBench({ pushUsers: o.users ?? 10_000, passwordChanges: Number(process.env['IDSYNC_BENCH_PASSWORDS'] ?? 1_000), bigOrgUsers: Number(process.env['IDSYNC_BENCH_BIG_ORG'] ?? 100_000) }),
};

const USAGE = `usage: npm run bench -- [${Object.keys(BENCHES).join('|')}...] [--users N] [--duration S] [--warmup S] [--processes P] [--load-generator wrk|autocannon] [--cpu-prof DIR]`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function number(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be a whole number of at least ${min} (got ${JSON.stringify(text)}).`);
  return n;
}

/**
 * The read runs' load generator: wrk when it is installed (C, a fraction of
 * autocannon's CPU per request, which on 2 cores is taken from the server).
 */
function loadGenerator(text: string | undefined): LoadGenerator {
  if (text !== undefined && text !== 'wrk' && text !== 'autocannon') fail(`--load-generator must be wrk or autocannon (got ${JSON.stringify(text)}).`);
  const wrk = wrkVersion();
  if (text === 'wrk' && wrk === null) fail('--load-generator wrk: wrk is not on PATH; install it (Debian: apt-get install wrk).');
  if (text === undefined && wrk === null) process.stderr.write('wrk is not on PATH (Debian: apt-get install wrk): the read runs use autocannon, whose CPU comes out of the server\'s.\n');
  return text ?? (wrk === null ? 'autocannon' : 'wrk');
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      users: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      'cpu-prof': { type: 'string' },
      processes: { type: 'string' },
      'load-generator': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
try {
  parsed = parse();
} catch (e) {
  fail((e as Error).message);
}
const { values, positionals } = parsed;
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const unknown = positionals.filter((n) => !Object.hasOwn(BENCHES, n));
if (unknown.length > 0) fail(`Unknown bench ${unknown.map((n) => JSON.stringify(n)).join(', ')}. Benches: ${Object.keys(BENCHES).join(', ')}.`);

const options: CommonOptions = {
  users: number('users', values.users, 1),
  durationSeconds: number('duration', values.duration, 1) ?? 10,
  warmupSeconds: number('warmup', values.warmup, 0) ?? 2,
  cpuProfDir: values['cpu-prof'] === undefined ? null : path.resolve(values['cpu-prof']),
  processes: number('processes', values.processes, 1),
  loadGenerator: loadGenerator(values['load-generator']),
};

for (const name of positionals.length > 0 ? positionals : Object.keys(BENCHES)) {
  const bench = BENCHES[name];
  if (bench) await bench(options);
}
