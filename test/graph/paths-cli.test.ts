/**
 * `idsync graph paths | risks | render` through their commander registration,
 * on an export file, in a child process (paths-cli-run.ts).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openApp } from '../../src/app.js';
import { OrgService } from '../../src/services/orgs.js';
import { AD_SID, scenario } from './paths-fixture.js';

let dir = '';
let file = '';

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idsync-graph-'));
  file = path.join(dir, 'export.json');
  await writeFile(file, JSON.stringify(scenario()));
});
after(() => rm(dir, { recursive: true, force: true }));

const RUNNER = fileURLToPath(new URL('./paths-cli-run.ts', import.meta.url));

/** Runs `idsync graph ...args` in a child process, as the CLI renders output and errors. */
function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', RUNNER, ...args], { encoding: 'utf8' }, (e, out, err) => {
      if (e && typeof e.code !== 'number') return reject(e);
      resolve({ code: e ? (e.code as number) : 0, out, err });
    });
  });
}

describe('idsync graph paths (CLI)', () => {
  it('prints chains and the Cypher query', async () => {
    const r = await run(['paths', '--to', 'SUPER_ADMIN', '--in', file]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^6 shortest paths from accounts to SUPER_ADMIN @ adatum \(IdSync_Role\)/);
    assert.match(r.out, /alice@contoso \(IdSync_User\) -\[IdSync_OutboundSSO\|IdSync_PasswordSync\]-> alice@adatum/);
    assert.match(r.out, /Cypher for BloodHound:\n {2}MATCH p=allShortestPaths\(\(s\)-\[:IdSync_/);
  });

  it('gives JSON with --json and honours --max-paths', async () => {
    const r = await run(['paths', '--from', AD_SID, '--in', file, '--max-paths', '2', '--json']);
    assert.equal(r.code, 0, r.err);
    const body = JSON.parse(r.out);
    assert.equal(body.paths.length, 2);
    assert.equal(body.truncated, true);
    assert.equal(body.anchors[0].kind, 'User');
  });

  it('refuses bad use with a message naming the fix', async () => {
    const none = await run(['paths', '--in', file]);
    assert.equal(none.code, 2);
    assert.match(none.err, /--to ACCOUNT\|GROUP\|ROLE/);
    const noInput = await run(['paths', '--to', 'x']);
    assert.equal(noInput.code, 2);
    assert.match(noInput.err, /--in FILE/);
    const missing = await run(['paths', '--to', 'nobody', '--in', file, '--json']);
    assert.equal(missing.code, 1);
    assert.equal(JSON.parse(missing.out).error.code, 'GRAPH_NODE_NOT_FOUND');
    await writeFile(path.join(dir, 'bad.json'), '{"nodes": []}');
    const bad = await run(['risks', '--in', path.join(dir, 'bad.json')]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /is not an OpenGraph document/);
  });
});

describe('idsync graph risks and render (CLI)', () => {
  it('lists the findings', async () => {
    const r = await run(['risks', '--in', file, '--json']);
    assert.equal(r.code, 0, r.err);
    const { findings } = JSON.parse(r.out);
    assert.deepEqual(findings.map((f: { severity: string }) => f.severity), ['critical', 'critical', 'high', 'high', 'low']);
  });

  it('writes an SVG of one path set', async () => {
    const out = path.join(dir, 'paths.svg');
    const r = await run(['render', '--in', file, '--to', 'SUPER_ADMIN', '--out', out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /wrote .*paths\.svg \(6 paths\)/);
    const svg = await readFile(out, 'utf8');
    assert.match(svg, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg /);
    assert.ok(!svg.includes('dave@contoso'));
  });
});

describe('idsync graph on the hub database (--org, --all)', () => {
  it('builds the graph as `graph export` does, and names a missing org', async () => {
    const db = path.join(dir, 'hub.db');
    const app = await openApp({ db });
    const { org, issued } = await new OrgService(app.ctx).create('acme', 'cli');
    await app.close();
    // The org's API token is a full admin of the org: a finding-free graph, but a node to reach.
    const risks = await run(['risks', '--org', 'acme', '--db', db, '--json']);
    assert.equal(risks.code, 0, risks.err);
    assert.deepEqual(JSON.parse(risks.out).findings, []);
    const paths = await run(['paths', '--to', org.id, '--all', '--db', db, '--json']);
    assert.equal(paths.code, 0, paths.err);
    assert.deepEqual(JSON.parse(paths.out).anchors.map((a: { id: string }) => a.id), [org.id]);
    assert.ok(!paths.out.includes(issued.secret), 'no token secret in the output');
    const missing = await run(['risks', '--org', 'nope', '--db', db]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /No org named "nope"/);
    const both = await run(['risks', '--org', 'acme', '--in', file]);
    assert.equal(both.code, 2);
  });
});
