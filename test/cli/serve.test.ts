import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { exited, runCli, spawnCli, tempDb, waitForLine } from './helpers.js';

/** Collects a child's stdout lines, for checks after it exited. */
function collect(child: ChildProcess): string[] {
  const lines: string[] = [];
  let rest = '';
  child.stdout?.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts);
  });
  return lines;
}

describe('idsync serve', () => {
  let db: string;
  let cleanup: () => Promise<void>;
  const children: ChildProcess[] = [];
  before(async () => ({ db, cleanup } = await tempDb()));
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await cleanup();
  });

  let secret = '';

  it('creates the default org on a new store, prints its token once, serves SCIM and stops on SIGTERM', async () => {
    const child = spawnCli(['serve', '--port', '0', '--db', db], { IDSYNC_LOG_LEVEL: 'info' });
    children.push(child);
    const lines = collect(child);
    const created = waitForLine(child.stdout!, /^created org "default"/);
    const listening = waitForLine(child.stdout!, /^listening on /);

    const tokenLine = await created;
    assert.match(tokenLine, /^created org "default" \(id org_\w+\); its API token, shown once: ids_[0-9A-Za-z]{40}$/);
    secret = /(ids_[0-9A-Za-z]{40})/.exec(tokenLine)?.[1] ?? '';
    const line = await listening;
    const match = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
    assert.ok(match, `unexpected line ${JSON.stringify(line)}`);
    const url = match[1] ?? '';
    assert.notEqual(Number(match[2]), 0, 'the real port is printed, not 0');

    const ok = await fetch(`${url}/scim/v2/Users`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as { totalResults: number };
    assert.equal(body.totalResults, 0);
    const refused = await fetch(`${url}/scim/v2/Users`);
    assert.equal(refused.status, 401);
    await refused.arrayBuffer();

    child.kill('SIGTERM');
    assert.deepEqual(await exited(child), { code: 0, signal: null });
    assert.equal(lines.filter((l) => l.startsWith('listening on ')).length, 1);
    assert.equal(lines.filter((l) => l.includes(secret)).length, 1, 'the token is printed once, and never logged');
  });

  it('on an existing store creates nothing, keeps the token valid, and stops on SIGINT', async () => {
    const child = spawnCli(['serve', '--host', '127.0.0.1', '--port', '0', '--db', db]);
    children.push(child);
    const lines = collect(child);
    const line = await waitForLine(child.stdout!, /^listening on /);
    const url = line.slice('listening on '.length);
    assert.equal(lines.some((l) => l.startsWith('created org')), false);

    const res = await fetch(`${url}/scim/v2/Users`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(res.status, 200);
    await res.arrayBuffer();

    child.kill('SIGINT');
    assert.deepEqual(await exited(child), { code: 0, signal: null });
    const orgs = JSON.parse((await runCli(['org', 'list', '--json', '--db', db])).stdout) as { name: string }[];
    assert.deepEqual(orgs.map((o) => o.name), ['default']);
  });

  it('a port in use is an error naming the fix, not a stack trace', async () => {
    const first = spawnCli(['serve', '--port', '0', '--db', db]);
    children.push(first);
    const line = await waitForLine(first.stdout!, /^listening on /);
    const port = line.split(':').pop() ?? '';
    const second = await runCli(['serve', '--port', port, '--db', db]);
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`^error: Cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use\\. .*--port`));
    assert.doesNotMatch(second.stderr, /\n\s+at /);
    first.kill('SIGTERM');
    assert.equal((await exited(first)).code, 0);
  });
});
