/**
 * SCIM bench: seeds an org of N users in a temp SQLite file, starts the hub as
 * `idsync serve --processes P` runs (the built CLI in a child process, P HTTP
 * server processes sharing the port) and loads it over loopback (reads with wrk
 * when installed, writes with autocannon): filter by userName, get by id, create
 * without and with a password, Bulk creates (50 per request), PATCH active. Also measures the
 * raw argon2id rate in a separate process (just before and just after the password
 * creates, their mean), the ceiling of password creates.
 * Writes bench/results/scim.json; targets are reported, never enforced.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openApp } from '../src/app.js';
import { OrgService } from '../src/services/orgs.js';
import { startChild, type Child } from './child.js';
import { treeCpu } from './proc-cpu.js';
import { runWrk, wrkVersion } from './wrk.js';
import { failureNote, runLoad, type LoadFigures, type NextRequest, type ServerCpu } from './load.js';
import { loadAverage, machine, source, table, writeResults } from './report.js';
import { sampleUsers, seedUsers, type SampledUser } from './seed.js';
import type { Argon2Rate } from './argon2-rate.js';
import { machineSpeed, type MachineSpeed } from './machine-speed.js';

export interface ScimBenchOptions {
  users: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Run the server child under `node --cpu-prof`, writing profiles to this folder. */
  cpuProfDir: string | null;
  /** HTTP server processes (`serve --processes`). */
  processes: number;
  /** For the read runs (filter, get by id); writes always use autocannon. */
  loadGenerator: LoadGenerator;
}

export type LoadGenerator = 'wrk' | 'autocannon';

const TARGETS = {
  filterByUserName: { minRequestsPerSecond: 15_000, maxP99Ms: 20 },
  passwordCreateRatio: 0.85,
};
const SAMPLE = 10_000;
/** `npm start` and the `idsync` bin run the compiled CLI, not the TypeScript under tsx. */
const SHIPPED_CLI = '../dist/cli/main.js';
const CONNECTIONS = 50;
const PASSWORD_CONNECTIONS = 16;
const ARGON2_IN_FLIGHT = 8;
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
/** Creates per POST /Bulk, as a provisioning connector coalescing creates would send them. */
const BULK_SIZE = 50;
const BULK_CONNECTIONS = 8;
/** Seconds of the machine-speed yardstick, before and after the read runs. */
const SPEED_SECONDS = 3;

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

function newUserBody(login: string, password?: string): string {
  return JSON.stringify({
    schemas: [USER_SCHEMA],
    userName: login,
    name: { givenName: 'Bench', familyName: 'Load' },
    emails: [{ value: login, type: 'work', primary: true }],
    active: true,
    ...(password === undefined ? {} : { password }),
  });
}

/** A password the default policy accepts: classes present, no part of the login, not common. */
function passwordFor(login: string): string {
  const parts = login.toLowerCase().split(/[^a-z0-9]+/).filter((p) => p.length >= 3);
  for (;;) {
    const pw = `Aa1-${randomBytes(9).toString('base64url')}xyz`;
    if (!parts.some((p) => pw.toLowerCase().includes(p))) return pw;
  }
}

/** The read runs' request paths, for wrk (which picks one at random per request). */
function readPaths(sample: readonly SampledUser[]): { filterByUserName: string[]; getById: string[] } {
  return {
    filterByUserName: sample.map((u) => `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${u.login}"`)}`),
    getById: sample.map((u) => `/scim/v2/Users/${u.id}`),
  };
}

type Generators = Record<'filterByUserName' | 'getById' | 'postWithoutPassword' | 'bulkCreate' | 'patchActive' | 'postWithPassword', () => NextRequest>;

function generators(sample: readonly SampledUser[]): Generators {
  let created = 0;
  let active = false;
  const run = randomBytes(3).toString('hex');
  return {
    filterByUserName: () => ({ method: 'GET', path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${pick(sample).login}"`)}` }),
    getById: () => ({ method: 'GET', path: `/scim/v2/Users/${pick(sample).id}` }),
    postWithoutPassword: () => ({ method: 'POST', path: '/scim/v2/Users', body: newUserBody(`new${run}n${created++}@example.com`) }),
    bulkCreate: () => {
      const ops = Array.from({ length: BULK_SIZE }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: JSON.parse(newUserBody(`bulk${run}n${created++}@example.com`)) as unknown }));
      return { method: 'POST', path: '/scim/v2/Bulk', body: JSON.stringify({ schemas: [BULK_SCHEMA], Operations: ops }) };
    },
    patchActive: () => {
      active = !active;
      return { method: 'PATCH', path: `/scim/v2/Users/${pick(sample).id}`, body: JSON.stringify({ schemas: [PATCH_SCHEMA], Operations: [{ op: 'replace', value: { active } }] }) };
    },
    postWithPassword: () => {
      const login = `pw${run}n${created++}@example.com`;
      return { method: 'POST', path: '/scim/v2/Users', body: newUserBody(login, passwordFor(login)) };
    },
  };
}

interface Target {
  url: string;
  token: string;
  server: Child;
}

/** Requests built per call (autocannon), or GETs of paths picked at random (wrk). */
type Load = { next: () => NextRequest } | { paths: readonly string[] };

async function measure(name: string, t: Target, load: Load, connections: number, opts: ScimBenchOptions): Promise<LoadFigures> {
  const run = (durationSeconds: number, serverCpu?: () => Promise<ServerCpu>): Promise<LoadFigures> =>
    'paths' in load
      ? runWrk({ url: t.url, token: t.token, connections, durationSeconds, paths: load.paths, ...(serverCpu ? { serverCpu } : {}) })
      : runLoad({ url: t.url, token: t.token, connections, next: load.next, title: name, durationSeconds, ...(serverCpu ? { serverCpu } : {}) });
  if (opts.warmupSeconds > 0) {
    process.stderr.write(`  ${name}: warm-up ${opts.warmupSeconds} s\n`);
    await run(opts.warmupSeconds);
  }
  process.stderr.write(`  ${name}: ${opts.durationSeconds} s, ${connections} connections, ${'paths' in load ? 'wrk' : 'autocannon'}\n`);
  const serverCpu = async (): Promise<ServerCpu> => treeCpu(t.server.proc.pid ?? -1) ?? { totalMicros: 0, mainThreadMicros: null };
  const figures = await run(opts.durationSeconds, serverCpu);
  const note = failureNote(name, figures);
  if (note) process.stderr.write(`  ! ${note}\n`);
  return figures;
}

/** A filter the load will repeat must find its user: a bench of empty results measures nothing. */
async function assertFound(t: Target, filterPath: string): Promise<void> {
  const res = await fetch(`${t.url}${filterPath}`, { headers: { authorization: `Bearer ${t.token}` } });
  const body = (await res.json()) as { totalResults?: number };
  if (res.status !== 200 || body.totalResults !== 1) throw new Error(`GET ${filterPath} answered ${res.status} with ${JSON.stringify(body).slice(0, 300)}; expected one user.`);
}

async function argon2Rate(seconds: number): Promise<Argon2Rate> {
  const child = startChild('argon2-rate.ts', ['--duration', String(seconds), '--concurrency', String(ARGON2_IN_FLIGHT)]);
  try {
    return JSON.parse(await child.firstLine) as Argon2Rate;
  } finally {
    await child.stop();
  }
}

function meanRate(a: Argon2Rate, b: Argon2Rate): Argon2Rate {
  const mean = (x: number, y: number, digits: number): number => Math.round(((x + y) / 2) * 10 ** digits) / 10 ** digits;
  return {
    hashes: a.hashes + b.hashes,
    seconds: mean(a.seconds, b.seconds, 2),
    hashesPerSecond: mean(a.hashesPerSecond, b.hashesPerSecond, 1),
    concurrency: a.concurrency,
    cpuMsPerHash: mean(a.cpuMsPerHash, b.cpuMsPerHash, 2),
    cores: mean(a.cores, b.cores, 2),
  };
}

export async function scimBench(opts: ScimBenchOptions): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'idsync-bench-'));
  const db = path.join(dir, 'bench.db');
  let server: Child | null = null;
  const loadBefore = loadAverage();
  // Ctrl-C: the server child gets the signal too; still remove the temp files.
  const onInterrupt = () => {
    void rm(dir, { recursive: true, force: true }).finally(() => process.exit(130));
  };
  process.once('SIGINT', onInterrupt);
  try {
    process.stderr.write(`scim bench: seeding ${opts.users} users into ${db}\n`);
    const app = await openApp({ db });
    const { org, issued } = await new OrgService(app.ctx).create('bench', 'cli');
    const seedSeconds = await seedUsers(app, org.id, opts.users, `token:${issued.token.id}`);
    const sample = await sampleUsers(app, org.id, SAMPLE);
    await app.close();
    process.stderr.write(`  seeded in ${seedSeconds.toFixed(1)} s (${Math.round(opts.users / seedSeconds)} users/s)\n`);
    if (sample.length === 0) throw new Error('No users to load: pass --users 1 or more.');

    const flags = opts.cpuProfDir === null ? [] : ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir];
    // The real command as it ships (dist/, built by `npm run bench`), logging at warn
    // (one line per request at info would be measured too).
    const serve = ['serve', '--db', db, '--host', '127.0.0.1', '--port', '0', '--no-worker', '--processes', String(opts.processes)];
    server = startChild(SHIPPED_CLI, serve, { nodeFlags: flags, env: { IDSYNC_LOG_LEVEL: 'warn' } });
    const t: Target = { url: (await server.firstLine).replace(/^listening on /, ''), token: issued.secret, server };
    process.stderr.write(`  server at ${t.url}\n`);
    const gen = generators(sample);
    const paths = readPaths(sample);
    await assertFound(t, paths.filterByUserName[0] as string);
    const read = (name: 'filterByUserName' | 'getById'): Load => (opts.loadGenerator === 'wrk' ? { paths: paths[name] } : { next: gen[name] });

    // The machine's speed just before and just after the read runs (the server idle meanwhile).
    process.stderr.write(`  machine speed: ${SPEED_SECONDS} s\n`);
    const speedBefore = await machineSpeed(SPEED_SECONDS);
    const filterByUserName = await measure('filterByUserName', t, read('filterByUserName'), CONNECTIONS, opts);
    const getById = await measure('getById', t, read('getById'), CONNECTIONS, opts);
    const speedAfter = await machineSpeed(SPEED_SECONDS);
    const postWithoutPassword = await measure('postWithoutPassword', t, { next: gen.postWithoutPassword }, CONNECTIONS, opts);
    const bulkCreate = await measure('bulkCreate', t, { next: gen.bulkCreate }, BULK_CONNECTIONS, opts);
    const patchActive = await measure('patchActive', t, { next: gen.patchActive }, CONNECTIONS, opts);
    // The raw rate is measured just before and just after the creates, and the ratio taken
    // against their mean: on a shared machine the speed of a core drifts by more than the
    // margin being measured within minutes, and bracketing cancels a steady drift.
    process.stderr.write(`  argon2 raw: ${ARGON2_IN_FLIGHT} in flight, ${opts.durationSeconds} s\n`);
    const rawBefore = await argon2Rate(opts.durationSeconds);
    const postWithPassword = await measure('postWithPassword', t, { next: gen.postWithPassword }, PASSWORD_CONNECTIONS, opts);
    process.stderr.write(`  argon2 raw again: ${opts.durationSeconds} s\n`);
    const rawAfter = await argon2Rate(opts.durationSeconds);
    const raw = meanRate(rawBefore, rawAfter);
    await server.stop();
    server = null;

    const ratio = Math.round((postWithPassword.requestsPerSecond / raw.hashesPerSecond) * 1000) / 1000;
    // Other load on the machine moves rates between runs; CPU per hash vs server CPU per create moves less.
    const createCpu = postWithPassword.cpu.serverMicrosecondsPerRequest;
    const cpuRatio = createCpu === null ? null : Math.round(((raw.cpuMsPerHash * 1000) / createCpu) * 1000) / 1000;
    const filterMet = filterByUserName.requestsPerSecond >= TARGETS.filterByUserName.minRequestsPerSecond && filterByUserName.latencyMs.p99 < TARGETS.filterByUserName.maxP99Ms;
    const results = {
      bench: 'scim',
      date: new Date().toISOString(),
      machine: machine(),
      source: source(),
      conditions: { machineSpeedAroundReads: { before: speedBefore, after: speedAfter } satisfies Record<string, MachineSpeed>, loadAverage1mBefore: loadBefore, loadAverage1mAfter: loadAverage(), durationSeconds: opts.durationSeconds, warmupSeconds: opts.warmupSeconds, serverProcesses: opts.processes, readLoadGenerator: opts.loadGenerator === 'wrk' ? `wrk ${wrkVersion() ?? ''}`.trim() : 'autocannon', writeLoadGenerator: 'autocannon' },
      users: opts.users,
      seedSeconds: Math.round(seedSeconds * 100) / 100,
      results: {
        filterByUserName: { ...filterByUserName, target: { ...TARGETS.filterByUserName, met: filterMet } },
        getById,
        postWithoutPassword,
        bulkCreate: { ...bulkCreate, operationsPerRequest: BULK_SIZE, usersPerSecond: Math.round(bulkCreate.requestsPerSecond * BULK_SIZE) },
        patchActive,
        argon2RawHashesPerSecond: raw.hashesPerSecond,
        argon2Raw: { mean: raw, before: rawBefore, after: rawAfter },
        postWithPassword: { ...postWithPassword, target: { minRatioToArgon2Raw: TARGETS.passwordCreateRatio, met: ratio >= TARGETS.passwordCreateRatio } },
        passwordCreateRatio: ratio,
        passwordCreateCpuRatio: cpuRatio,
      },
    };
    const file = await writeResults('scim', results);

    console.log(`\nscim bench: ${opts.users} users (seeded in ${results.seedSeconds} s), ${opts.durationSeconds} s per run, ${machine().cpus} cpus, ${opts.processes} server process(es), reads loaded by ${results.conditions.readLoadGenerator}, node ${process.version}\n`);
    console.log(
      table([
        { name: 'filter userName eq', figures: filterByUserName, target: `>= 15000 req/s, p99 < 20 ms: ${filterMet ? 'met' : 'MISSED'}` },
        { name: 'GET /Users/{id}', figures: getById },
        { name: 'POST (no password)', figures: postWithoutPassword },
        { name: `POST /Bulk (${BULK_SIZE} creates)`, figures: bulkCreate, target: `${Math.round(bulkCreate.requestsPerSecond * BULK_SIZE)} users/s` },
        { name: 'PATCH active', figures: patchActive },
        { name: 'POST (password)', figures: postWithPassword, target: `>= 85% of argon2 raw: ${ratio >= TARGETS.passwordCreateRatio ? 'met' : 'MISSED'}` },
      ]),
    );
    console.log(`\nload average (1 min): ${loadBefore} before, ${results.conditions.loadAverage1mAfter} after; srv cores = server CPU / wall time`);
    console.log(`machine speed (bench/machine-speed.ts, ${speedBefore.processes} processes): ${speedBefore.opsPerSecond} ops/s before the read runs, ${speedAfter.opsPerSecond} after`);
    console.log(`argon2id raw: ${raw.hashesPerSecond} hashes/s (${ARGON2_IN_FLIGHT} in flight; ${rawBefore.hashesPerSecond} before the creates, ${rawAfter.hashesPerSecond} after); creates with password / raw = ${ratio}; by CPU (raw CPU per hash / server CPU per create) = ${cpuRatio ?? '-'}`);
    console.log(`figures: ${file}`);
  } finally {
    process.off('SIGINT', onInterrupt);
    if (server) await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
