/**
 * A GET load run with wrk (Debian package `wrk`), for the read benches: wrk is C
 * and spends a fraction of the CPU per request that autocannon does, and on a
 * 2-core machine the load generator's CPU is taken from the server. Each request
 * picks one of `paths` at random (a Lua script). Same figures as `runLoad`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LoadFigures, ServerCpu } from './load.js';
import { treeCpu } from './proc-cpu.js';

export interface WrkSpec {
  url: string;
  token: string;
  connections: number;
  durationSeconds: number;
  paths: readonly string[];
  serverCpu?: () => Promise<ServerCpu>;
}

/** wrk's version line, or null when it is not on PATH. */
export function wrkVersion(): string | null {
  const r = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (r.error) return null;
  return /^wrk (\S+)/m.exec(`${r.stdout}${r.stderr}`)?.[1] ?? 'unknown';
}

// `done` runs once in wrk's main Lua state and prints the figures as one JSON line.
const SCRIPT = `
local paths = {}
for line in io.lines(os.getenv("IDSYNC_WRK_PATHS")) do paths[#paths + 1] = line end
wrk.headers["Authorization"] = "Bearer " .. os.getenv("IDSYNC_WRK_TOKEN")
wrk.headers["Accept"] = "application/scim+json"
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
done = function(s, latency, requests)
  io.write(string.format('{"requests":%d,"durationMicros":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}\\n',
    s.requests, s.duration, s.errors.status, s.errors.connect, s.errors.read, s.errors.write, s.errors.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`;

interface WrkOut {
  requests: number;
  durationMicros: number;
  status: number;
  connect: number;
  read: number;
  write: number;
  timeout: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;
const ms = (micros: number): number => round(micros / 1000);

export async function runWrk(spec: WrkSpec): Promise<LoadFigures> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'idsync-wrk-'));
  try {
    const script = path.join(dir, 'load.lua');
    const pathsFile = path.join(dir, 'paths.txt');
    await writeFile(script, SCRIPT);
    await writeFile(pathsFile, `${spec.paths.join('\n')}\n`);
    const serverBefore = spec.serverCpu ? await spec.serverCpu() : null;
    const child = spawn('wrk', ['-t1', `-c${spec.connections}`, `-d${spec.durationSeconds}s`, '--timeout', '10s', '-s', script, spec.url], {
      env: { ...process.env, IDSYNC_WRK_PATHS: pathsFile, IDSYNC_WRK_TOKEN: spec.token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // wrk's own CPU, read just before it exits (its /proc entry goes with it).
    let ownMicros = 0;
    const sampler = setInterval(() => (ownMicros = treeCpu(child.pid ?? -1)?.totalMicros ?? ownMicros), 200);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    clearInterval(sampler);
    const serverAfter = spec.serverCpu ? await spec.serverCpu() : null;
    const line = stdout.split('\n').find((l) => l.startsWith('{'));
    if (code !== 0 || line === undefined) throw new Error(`wrk exited with ${code}: ${stderr.trim() || stdout.trim()}`);
    const out = JSON.parse(line) as WrkOut;
    const wallMicros = out.durationMicros;
    const serverMicros = serverBefore && serverAfter ? serverAfter.totalMicros - serverBefore.totalMicros : null;
    const mainBefore = serverBefore?.mainThreadMicros ?? null;
    const mainAfter = serverAfter?.mainThreadMicros ?? null;
    const mainMicros = mainBefore === null || mainAfter === null ? null : mainAfter - mainBefore;
    const perRequest = (micros: number | null) => (micros === null || out.requests === 0 ? null : round(micros / out.requests, 1));
    const errors = out.connect + out.read + out.write + out.timeout;
    return {
      requestsPerSecond: round(out.requests / (wallMicros / 1e6), 1),
      requests: out.requests,
      latencyMs: { mean: ms(out.mean), p50: ms(out.p50), p90: ms(out.p90), p99: ms(out.p99), max: ms(out.max) },
      non2xx: out.status,
      errors,
      timeouts: out.timeout,
      statusCodes: {},
      sampleFailures: [],
      connections: spec.connections,
      pipelining: 1,
      durationSeconds: round(wallMicros / 1e6),
      cpu: {
        serverMicrosecondsPerRequest: perRequest(serverMicros),
        serverMainThreadMicrosecondsPerRequest: perRequest(mainMicros),
        serverCores: serverMicros === null ? null : round(serverMicros / wallMicros),
        // Sampled every 200 ms: the last sample misses at most that much of wrk's time.
        loadGeneratorCores: round(ownMicros / wallMicros),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
