/**
 * One load run with autocannon's programmatic API, reduced to the figures the
 * benches report. Each request is built by `next()`, so paths and bodies vary
 * per call. Benches measure; nothing here asserts a timing.
 */
import autocannon from 'autocannon';

export interface NextRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: string;
}

export interface LoadSpec {
  title: string;
  url: string;
  token: string;
  connections: number;
  durationSeconds: number;
  next: () => NextRequest;
  /** The server process's CPU time so far, to report CPU per request. */
  serverCpu?: () => Promise<ServerCpu>;
}

export interface ServerCpu {
  /** User + system time of the whole process (all threads). */
  totalMicros: number;
  /** The event-loop thread alone, where the OS tells it (Linux); else null. */
  mainThreadMicros: number | null;
}

export interface CpuFigures {
  /** Server CPU (user + system, all threads) per completed request. */
  serverMicrosecondsPerRequest: number | null;
  /** The part of it on the event-loop thread (10 ms resolution; Linux only). */
  serverMainThreadMicrosecondsPerRequest: number | null;
  /** Server CPU over wall time: 1 = one core busy the whole run. */
  serverCores: number | null;
  /** The same for this process, the load generator. */
  loadGeneratorCores: number;
}

export interface LoadFigures {
  requestsPerSecond: number;
  requests: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** The first few non-2xx responses, to tell why (empty when all were 2xx). */
  sampleFailures: Array<{ status: number; body: string }>;
  connections: number;
  pipelining: number;
  durationSeconds: number;
  cpu: CpuFigures;
}

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

export async function runLoad(spec: LoadSpec): Promise<LoadFigures> {
  const failures: Array<{ status: number; body: string }> = [];
  const headers = { authorization: `Bearer ${spec.token}`, 'content-type': 'application/scim+json', accept: 'application/scim+json' };
  const serverBefore = spec.serverCpu ? await spec.serverCpu() : null;
  const ownBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url: spec.url,
        title: spec.title,
        connections: spec.connections,
        pipelining: 1,
        duration: spec.durationSeconds,
        headers,
        requests: [
          {
            setupRequest: (req) => {
              const r = spec.next();
              return { ...req, method: r.method, path: r.path, headers: { ...headers }, ...(r.body === undefined ? { body: '' } : { body: r.body }) };
            },
            onResponse: (status, body) => {
              if ((status < 200 || status > 299) && failures.length < 5) failures.push({ status, body: body.slice(0, 500) });
            },
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
  const wallMicros = (performance.now() - wallBefore) * 1000;
  const own = process.cpuUsage(ownBefore);
  const serverAfter = spec.serverCpu ? await spec.serverCpu() : null;
  const serverMicros = serverBefore && serverAfter ? serverAfter.totalMicros - serverBefore.totalMicros : null;
  const mainBefore = serverBefore?.mainThreadMicros ?? null;
  const mainAfter = serverAfter?.mainThreadMicros ?? null;
  const mainMicros = mainBefore === null || mainAfter === null ? null : mainAfter - mainBefore;
  const perRequest = (micros: number | null) => (micros === null || result.requests.total === 0 ? null : round(micros / result.requests.total, 1));
  const cpu: CpuFigures = {
    serverMicrosecondsPerRequest: perRequest(serverMicros),
    serverMainThreadMicrosecondsPerRequest: perRequest(mainMicros),
    serverCores: serverMicros === null ? null : round(serverMicros / wallMicros),
    loadGeneratorCores: round((own.user + own.system) / wallMicros),
  };
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries(result.statusCodeStats)) statusCodes[code] = v.count;
  return {
    requestsPerSecond: round(result.requests.average, 1),
    requests: result.requests.total,
    latencyMs: {
      mean: round(result.latency.average),
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    sampleFailures: failures,
    connections: spec.connections,
    pipelining: 1,
    durationSeconds: result.duration,
    cpu,
  };
}

/** A problem line for a run with failures, or null when every request got a 2xx. */
export function failureNote(name: string, f: LoadFigures): string | null {
  if (f.non2xx === 0 && f.errors === 0) return null;
  const first = f.sampleFailures[0];
  return `${name}: ${f.non2xx} non-2xx, ${f.errors} errors (${f.timeouts} timeouts)${first ? `; first: ${first.status} ${first.body.slice(0, 200)}` : ''}`;
}
