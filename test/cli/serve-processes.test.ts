/**
 * `idsync serve --processes 2` as an admin runs it: one listening line for two
 * server processes on one port; a revocation answered by one process is
 * refused by both; jobs a server process queues are run by the primary's
 * worker; a killed server process is replaced; SIGTERM stops them all; a port
 * in use fails the start. Linux: server processes are found through /proc.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { scimTarget, startServer, type TestServer } from '../connectors/server.js';
import { exited, spawnCli, tempDb, waitForLine } from './helpers.js';

/** The child processes of `pid` (its server processes). */
function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((t) =>
    readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((c) => c !== '')
      .map(Number),
  );
}

/** A request on a new connection each time, so the primary hands each to the next server process. */
function get(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: 10_000, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    // A failure, never a stalled suite, if a connection goes unanswered.
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} in 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

async function call(url: string, token: string, method: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

const TIMES = 16;

describe('idsync serve --processes 2', () => {
  let db: string;
  let cleanup: () => Promise<void>;
  let child: ChildProcess;
  let url = '';
  let token = '';
  let stderr = '';
  let target: TestServer;
  let pushed: Promise<void>;

  before(async () => {
    ({ db, cleanup } = await tempDb());
    const t = scimTarget();
    let arrived!: () => void;
    pushed = new Promise((r) => (arrived = r));
    target = await startServer(async (req, res) => {
      await t.handler(req, res);
      if (req.method === 'POST' && req.url.pathname === '/scim/v2/Users') arrived();
    });
    child = spawnCli(['serve', '--port', '0', '--db', db, '--processes', '2']);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const created = waitForLine(child.stdout!, /^created org "default"/);
    const listening = waitForLine(child.stdout!, /^listening on /);
    token = /(ids_[0-9A-Za-z]{40})/.exec(await created)?.[1] ?? '';
    url = (await listening).replace(/^listening on /, '');
  });

  after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await target.close();
    await cleanup();
  });

  it('serves from two server processes sharing the port printed once', async () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    assert.equal(childrenOf(child.pid as number).length, 2);
    const statuses = await Promise.all(Array.from({ length: TIMES }, () => get(`${url}/scim/v2/Users?count=1`, token)));
    assert.deepEqual(new Set(statuses), new Set([200]));
  });

  it('a token revoked through one process is refused by every process once the revocation answered', async () => {
    const created = await call(`${url}/api/admin/v1/tokens`, token, 'POST', { name: 'to-revoke' });
    assert.equal(created.status, 201);
    const secret = created.body.secret as string;
    // Both processes serve it, and so hold it in their caches.
    assert.deepEqual(new Set(await Promise.all(Array.from({ length: TIMES }, () => get(`${url}/scim/v2/Users?count=1`, secret)))), new Set([200]));
    const revoked = await call(`${url}/api/admin/v1/tokens/${created.body.token.id}/revoke`, token, 'POST');
    assert.equal(revoked.status, 200);
    const after = await Promise.all(Array.from({ length: TIMES }, () => get(`${url}/scim/v2/Users?count=1`, secret)));
    assert.deepEqual(new Set(after), new Set([401]), `statuses after the revocation: ${after.join(' ')}`);
  });

  it('jobs queued by a server process are run by the provisioning worker of the primary', async () => {
    const app = await call(`${url}/api/admin/v1/apps`, token, 'POST', { name: 'Target', baseUrl: `${target.url}/scim/v2`, token: 'target-token' });
    assert.equal(app.status, 201, JSON.stringify(app.body));
    const user = await call(`${url}/scim/v2/Users`, token, 'POST', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ada@example.com' });
    assert.equal(user.status, 201);
    assert.equal((await call(`${url}/api/admin/v1/apps/Target/users/${user.body.id}`, token, 'PUT')).status, 204);
    await pushed;
  });

  it('a server process that dies is replaced, and the others keep serving meanwhile', async () => {
    const [victim] = childrenOf(child.pid as number);
    const noticed = waitForLine(child.stderr!, new RegExp(`server process ${victim} exited \\(SIGKILL\\); starting another\\.$`));
    const replaced = waitForLine(child.stderr!, new RegExp(`is serving in place of ${victim}\\.$`));
    process.kill(victim as number, 'SIGKILL');
    // Once the primary has seen the death it hands new connections only to the living
    // (a connection it handed over in the instant before is lost with the process).
    await noticed;
    assert.equal(await get(`${url}/scim/v2/Users?count=1`, token), 200);
    await replaced;
    const now = childrenOf(child.pid as number);
    assert.equal(now.length, 2);
    assert.ok(!now.includes(victim as number));
    assert.match(stderr, new RegExp(`server process ${victim} exited \\(SIGKILL\\); starting another\\.`));
  });

  it('SIGTERM stops every process and exits 0', async () => {
    const servers = childrenOf(child.pid as number);
    child.kill('SIGTERM');
    assert.deepEqual(await exited(child), { code: 0, signal: null });
    for (const pid of servers) assert.throws(() => process.kill(pid, 0), /ESRCH/, `server process ${pid} is gone`);
  });

  it('a port in use fails the start with the error and exit code 1', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const c = spawnCli(['serve', '--port', String(port), '--db', db, '--processes', '2']);
      let err = '';
      c.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
      assert.deepEqual(await exited(c), { code: 1, signal: null });
      assert.match(err, new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`));
    } finally {
      blocker.close();
    }
  });
});
