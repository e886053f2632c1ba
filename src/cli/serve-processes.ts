/**
 * `idsync serve --processes N`: N HTTP server processes share the listening
 * socket (node:cluster), so the SCIM and management APIs use more than one
 * core. The primary does what must happen once per store: migrations, the
 * first org, the master key, and the provisioning worker. It relays what the
 * server processes must tell each other: a committed change that queued
 * provisioning jobs (a kick for the worker) and a revocation or settings change
 * that makes their short-lived caches stale (services/peers.ts).
 *
 * A server process that dies after it was listening is started again; one that
 * dies before (a port in use, a bad database) stops the whole start, with its
 * own error already on stderr.
 */
import cluster, { type Worker } from 'node:cluster';
import type { App } from '../app.js';
import { forgetPrincipals } from '../services/auth-cache.js';
import { forgetOAuthClient } from '../services/oauth/verify.js';
import { isPeerNotice, relayToPeers, type PeerNotice } from '../services/peers.js';

/**
 * The IPC messages. A notice travels: origin -> primary (`peer`), primary ->
 * every other server process (`peer`), each of them -> primary (`peer-ack`),
 * primary -> origin (`peer-done`) once all have acknowledged or exited.
 */
type Message =
  | { type: 'idsync:kick' }
  | { type: 'idsync:peer'; id: number; notice: PeerNotice }
  | { type: 'idsync:peer-ack'; id: number }
  | { type: 'idsync:peer-done'; id: number };

function asMessage(m: unknown): Message | null {
  if (typeof m !== 'object' || m === null) return null;
  const { type, id, notice } = m as { type?: unknown; id?: unknown; notice?: unknown };
  if (type === 'idsync:kick') return { type };
  if (typeof id !== 'number') return null;
  if (type === 'idsync:peer') return isPeerNotice(notice) ? { type, id, notice } : null;
  if (type === 'idsync:peer-ack' || type === 'idsync:peer-done') return { type, id };
  return null;
}

/** Past this a peer that has not answered is not waited for: its cache expires on its own (auth-cache TTL). */
const PEER_WAIT_MS = 2_000;

export function isServerProcess(): boolean {
  return cluster.isWorker;
}

/** A crash loop is not a service: after this many restarts in a minute the primary gives up. */
const MAX_RESTARTS_PER_MINUTE = 5;

export interface PrimaryOptions {
  processes: number;
  host: string;
  /** A runner for queued jobs in the primary (null with --no-worker). */
  kick: (() => void) | null;
  onListening(url: string): void;
  /** Called once when every server process has exited, after a stop or a failed start. */
  onExit(failed: boolean): void;
}

export interface Primary {
  /** Stops the server processes (SIGTERM: each finishes its requests and closes its store). */
  stop(): void;
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function startServerProcesses(opts: PrimaryOptions): Primary {
  let listening = 0;
  let started = false;
  let stopping = false;
  let failed = false;
  const restarts: number[] = [];
  const workers = new Set<Worker>();

  // Notices being relayed: which processes still have to acknowledge, and whom to tell when none do.
  let nextRelay = 0;
  const relaying = new Map<number, { origin: Worker; originId: number; waiting: Set<Worker>; timer: NodeJS.Timeout }>();
  const settle = (key: number) => {
    const r = relaying.get(key);
    if (!r || r.waiting.size > 0) return;
    clearTimeout(r.timer);
    relaying.delete(key);
    if (r.origin.isConnected()) r.origin.send({ type: 'idsync:peer-done', id: r.originId } satisfies Message);
  };
  const relay = (origin: Worker, originId: number, notice: PeerNotice) => {
    const key = ++nextRelay;
    const waiting = new Set([...workers].filter((w) => w !== origin && w.isConnected()));
    const timer = setTimeout(() => {
      const r = relaying.get(key);
      if (r) r.waiting.clear();
      settle(key);
    }, PEER_WAIT_MS);
    timer.unref();
    relaying.set(key, { origin, originId, waiting, timer });
    for (const w of waiting) w.send({ type: 'idsync:peer', id: key, notice } satisfies Message);
    settle(key);
  };
  const acknowledged = (from: Worker, key: number) => {
    relaying.get(key)?.waiting.delete(from);
    settle(key);
  };
  const gone = (w: Worker) => {
    for (const [key, r] of relaying) {
      r.waiting.delete(w);
      settle(key);
    }
  };

  const stopAll = () => {
    stopping = true;
    for (const w of workers) if (!w.isDead()) w.process.kill('SIGTERM');
    if (workers.size === 0) opts.onExit(failed);
  };

  const fork = (replacing?: number) => {
    const w = cluster.fork();
    workers.add(w);
    w.on('listening', (address) => {
      if (replacing !== undefined) process.stderr.write(`idsync: server process ${w.process.pid} is serving in place of ${replacing}.\n`);
      if (started) return;
      listening++;
      if (listening === opts.processes) {
        started = true;
        opts.onListening(urlOf(opts.host, address.port));
      }
    });
    w.on('message', (raw: unknown) => {
      const m = asMessage(raw);
      if (m?.type === 'idsync:kick') opts.kick?.();
      else if (m?.type === 'idsync:peer') relay(w, m.id, m.notice);
      else if (m?.type === 'idsync:peer-ack') acknowledged(w, m.id);
    });
    w.on('exit', (code, signal) => {
      workers.delete(w);
      gone(w);
      if (stopping) {
        if (workers.size === 0) opts.onExit(failed);
        return;
      }
      if (!started) {
        // Its error is on stderr already; the others cannot serve what it could not.
        failed = true;
        stopAll();
        return;
      }
      const now = Date.now();
      restarts.push(now);
      while (restarts.length > 0 && (restarts[0] as number) < now - 60_000) restarts.shift();
      process.stderr.write(`idsync: server process ${w.process.pid} exited (${signal ?? `code ${code}`}); `);
      if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
        process.stderr.write(`more than ${MAX_RESTARTS_PER_MINUTE} restarts in a minute, stopping; see the errors above.\n`);
        failed = true;
        stopAll();
        return;
      }
      process.stderr.write('starting another.\n');
      fork(w.process.pid);
    });
  };

  for (let i = 0; i < opts.processes; i++) fork();
  return { stop: stopAll };
}

/**
 * In a server process: provisioning kicks and cache notices go to the primary
 * (at most one kick per turn of the event loop), and notices from the other
 * processes are applied here.
 */
export function joinPrimary(app: App, onStop: () => void): void {
  const send = (m: Message) => {
    if (process.connected) process.send?.(m);
  };
  let kickPending = false;
  app.ctx.runner = {
    kick: () => {
      if (kickPending) return;
      kickPending = true;
      setImmediate(() => {
        kickPending = false;
        send({ type: 'idsync:kick' });
      });
    },
  };
  let nextId = 0;
  const pending = new Map<number, () => void>();
  relayToPeers(app.ctx.store, (notice) => {
    if (!process.connected) return Promise.resolve();
    const id = ++nextId;
    return new Promise<void>((resolve) => {
      // The primary answers within PEER_WAIT_MS; this bound only guards against it dying meanwhile.
      const timer = setTimeout(() => pending.delete(id) && resolve(), 2 * PEER_WAIT_MS);
      timer.unref();
      pending.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
      send({ type: 'idsync:peer', id, notice });
    });
  });
  process.on('message', (raw: unknown) => {
    const m = asMessage(raw);
    if (m?.type === 'idsync:peer-done') {
      pending.get(m.id)?.();
      pending.delete(m.id);
    } else if (m?.type === 'idsync:peer') {
      const applied = m.notice.kind === 'principals' ? forgetPrincipals(app.ctx.store, true) : forgetOAuthClient(app.ctx.store, m.notice.clientId, true);
      void applied.then(() => send({ type: 'idsync:peer-ack', id: m.id }));
    }
  });
  // The primary is gone (killed): nothing would restart or stop this process.
  process.once('disconnect', onStop);
}
