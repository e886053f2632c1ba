/**
 * `idsync serve`: opens the store, creates the `default` org on a brand-new
 * store (its token shown once), starts the HTTP server, prints one plain
 * `listening on URL` line, then starts the provisioning worker (unless
 * --no-worker). SIGINT/SIGTERM close the server, stop the worker (jobs in
 * flight are recorded) and close the store, in that order. With --processes N
 * the HTTP server runs in N processes sharing the port (serve-processes.ts).
 */
import type { Command } from 'commander';
import type { App } from '../app.js';
import { IdsyncError } from '../core/errors.js';
import { OrgService } from '../services/orgs.js';
import { CLI_ACTOR, MASTER_KEY_NOTICE, dbOption, integerArg, open, type DbOptions } from './common.js';
import { printLines, renderError } from './output.js';
import { isServerProcess, joinPrimary, startServerProcesses } from './serve-processes.js';

export const DEFAULT_ORG_NAME = 'default';

interface ServeOptions extends DbOptions {
  host: string;
  port: number;
  /** false with --no-worker. */
  worker: boolean;
  /** HTTP server processes; 1 serves in this process. */
  processes: number;
}

/** On a store without orgs, creates `default` and prints its token. Another process doing the same at once is fine. */
async function ensureFirstOrg(app: App): Promise<void> {
  const orgs = new OrgService(app.ctx);
  if ((await orgs.list()).length > 0) return;
  try {
    const { org, issued } = await orgs.create(DEFAULT_ORG_NAME, CLI_ACTOR);
    printLines(`created org "${org.name}" (id ${org.id}); its API token, shown once: ${issued.secret}`);
  } catch (e) {
    if (e instanceof IdsyncError && (e.code === 'ORG_NAME_TAKEN' || e.code === 'STORE_CONFLICT')) return;
    throw e;
  }
}

/** The socket errors an operator can fix, worded with the fix; anything else passes through. */
function listenError(e: unknown, opts: ServeOptions): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  const where = `${opts.host}:${opts.port}`;
  if (code === 'EADDRINUSE') {
    return new IdsyncError('unavailable', 'CLI_ADDRESS_IN_USE', `Cannot listen on ${where}: the address is already in use. Stop the other process or choose another --port (0 picks a free one).`, { expose: true });
  }
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new IdsyncError('unavailable', 'CLI_CANNOT_LISTEN', `Cannot listen on ${where} (${String(code)}): use a --host this machine has and a --port above 1023, or run with the needed privileges.`, { expose: true });
  }
  return e;
}

/** Loaded on demand so that the other commands do not pay for the HTTP stack. */
async function runtime() {
  const [{ startServer }, { createLogger }, { ProvisioningWorker }] = await Promise.all([
    import('../http/server.js'),
    import('../logging.js'),
    import('../services/provisioning/worker.js'),
  ]);
  return { startServer, createLogger, ProvisioningWorker };
}

/** The primary of --processes N: the once-per-store work and the provisioning worker; no socket of its own. */
async function servePrimary(opts: ServeOptions): Promise<void> {
  const app = await open(opts, false);
  if (app.masterKeyCreated !== null) printLines(MASTER_KEY_NOTICE(app.masterKeyCreated));
  let worker: InstanceType<Awaited<ReturnType<typeof runtime>>['ProvisioningWorker']> | null = null;
  try {
    await ensureFirstOrg(app);
    const { createLogger, ProvisioningWorker } = await runtime();
    if (opts.worker) worker = new ProvisioningWorker(app.ctx, { logger: createLogger(), embedded: true });
  } catch (e) {
    await app.close();
    throw e;
  }
  const primary = startServerProcesses({
    processes: opts.processes,
    host: opts.host,
    kick: worker === null ? null : () => worker?.kick(),
    onListening: (url) => {
      printLines(`listening on ${url}`);
      worker?.start().catch((e: unknown) => {
        renderError(e, false);
        primary.stop();
      });
    },
    onExit: (failed) => {
      void Promise.resolve(worker?.stop())
        .then(() => app.close())
        .then(
          () => process.exit(failed ? 1 : 0),
          (e: unknown) => process.exit(renderError(e, false)),
        );
    },
  });
  process.once('SIGINT', () => primary.stop());
  process.once('SIGTERM', () => primary.stop());
}

/** One server process of --processes N: HTTP only; jobs it queues are run by the primary's worker. */
async function serveProcess(opts: ServeOptions): Promise<void> {
  const app = await open(opts, false);
  let server: { url: string; close(): Promise<void> };
  try {
    const { startServer, createLogger } = await runtime();
    server = await startServer({ ctx: app.ctx, logger: createLogger(), host: opts.host, port: opts.port });
  } catch (e) {
    await app.close();
    // The IPC channel would keep this process alive after main sets the exit code.
    if (process.connected) process.disconnect();
    throw listenError(e, opts);
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    server
      .close()
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (e: unknown) => process.exit(renderError(e, false)),
      );
  };
  joinPrimary(app, stop);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function serve(opts: ServeOptions): Promise<void> {
  if (opts.processes > 1) return isServerProcess() ? serveProcess(opts) : servePrimary(opts);
  const app = await open(opts, false);
  if (app.masterKeyCreated !== null) printLines(MASTER_KEY_NOTICE(app.masterKeyCreated));
  let server: { url: string; close(): Promise<void> };
  let worker: { start(): Promise<void>; stop(): Promise<void> } | null = null;
  try {
    await ensureFirstOrg(app);
    const { startServer, createLogger, ProvisioningWorker } = await runtime();
    const logger = createLogger();
    server = await startServer({ ctx: app.ctx, logger, host: opts.host, port: opts.port });
    if (opts.worker) worker = new ProvisioningWorker(app.ctx, { logger, embedded: true });
  } catch (e) {
    await app.close();
    throw listenError(e, opts);
  }
  const running = server;
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    running
      .close()
      .then(() => worker?.stop())
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (e: unknown) => process.exit(renderError(e, false)),
      );
  };
  // Before the listening line: whoever waits for that line may signal us at once.
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  printLines(`listening on ${server.url}`);
  try {
    await worker?.start();
  } catch (e) {
    await server.close();
    await app.close();
    throw e;
  }
}

export function registerServe(program: Command): void {
  dbOption(program.command('serve'))
    .description('run the HTTP server (SCIM 2.0 under /scim/v2, admin API under /api/admin/v1) and the provisioning worker')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', integerArg(0, 65535), 8080)
    .option('--no-worker', 'do not run provisioning jobs in this process (they wait in the queue)')
    .option('--processes <n>', 'HTTP server processes sharing the port (one core each); the provisioning worker runs once, in the primary process', integerArg(1, 64), 1)
    .action(serve);
}
