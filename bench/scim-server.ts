/**
 * The hub server of the SCIM bench, in its own process so the load generator
 * does not share its event loop: opens the app on `--db FILE`, listens on
 * 127.0.0.1, port 0, logs at warn, and prints its URL as the first stdout line.
 * Answers `cpu` on the IPC channel with process.cpuUsage().
 * SIGTERM closes it cleanly (so `node --cpu-prof` can write its profile).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openApp } from '../src/app.js';
import { startServer } from '../src/http/server.js';
import { createLogger } from '../src/logging.js';

const { values } = parseArgs({ options: { db: { type: 'string' } } });
if (values.db === undefined) {
  process.stderr.write('usage: scim-server.ts --db FILE\n');
  process.exit(2);
}

const app = await openApp({ db: values.db });
// Warnings go to stderr so stdout carries only the URL.
const server = await startServer({ ctx: app.ctx, logger: createLogger({ level: 'warn', destination: process.stderr }), host: '127.0.0.1', port: 0 });
process.stdout.write(`${server.url}\n`);

/**
 * CPU time of the main (event loop) thread alone, from Linux's /proc (clock
 * ticks of 10 ms); null elsewhere. The rest of the process's CPU is the libuv
 * pool (argon2), GC and other helper threads.
 */
function mainThreadMicros(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
    return Number.isFinite(ticks) ? ticks * 10_000 : null;
  } catch {
    return null;
  }
}

// The bench asks for this process's CPU time around each run (IPC): server CPU per request.
process.on('message', (m) => {
  if (m === 'cpu') {
    const u = process.cpuUsage();
    process.send?.({ totalMicros: u.user + u.system, mainThreadMicros: mainThreadMicros() });
  }
});

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void (async () => {
    await server.close();
    await app.close();
    process.disconnect?.();
    process.exit(0);
  })();
});
