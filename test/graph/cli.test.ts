/**
 * `idsync role` and `idsync graph export` as a person runs them: the compiled
 * (or tsx) CLI on a temporary database. The files it writes validate against
 * both schema sets, --org keeps to one org, --cross-out and the extension file
 * land where asked.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { OpenGraphDocument } from '../../src/core/graph/kinds.js';
import { extensionSchemaText } from '../../src/core/graph/extension.js';
import { createOrg, runCli, runJson, tempDb } from '../cli/helpers.js';
import { assertValidOpenGraph } from '../helpers/opengraph.js';

describe('idsync role and graph export', () => {
  let dir: string;
  let db: string;
  let cleanup: () => Promise<void>;

  before(async () => {
    ({ dir, db, cleanup } = await tempDb());
    await createOrg(db, 'acme');
    await createOrg(db, 'globex');
    await runJson(['user', 'create', '--org', 'acme', '--login', 'ada', '--db', db, '--json']);
    await runJson(['user', 'create', '--org', 'globex', '--login', 'grace', '--db', db, '--json']);
  });
  after(async () => cleanup());

  it('assigns, lists and unassigns roles; refuses a bad type and a missing principal', async () => {
    const a = await runJson<{ type: string; principal: string }>(['role', 'assign', '--org', 'acme', '--user', 'ada', '--type', 'super_admin', '--db', db, '--json']);
    assert.equal(a.type, 'SUPER_ADMIN');
    await runJson(['role', 'assign', '--org', 'acme', '--user', 'ada', '--type', 'READ_ONLY_ADMIN', '--db', db, '--json']);
    const list = await runJson<{ type: string }[]>(['role', 'list', '--org', 'acme', '--user', 'ada', '--db', db, '--json']);
    assert.deepEqual(list.map((r) => r.type), ['SUPER_ADMIN', 'READ_ONLY_ADMIN']);
    const gone = await runCli(['role', 'unassign', '--org', 'acme', '--user', 'ada', '--type', 'READ_ONLY_ADMIN', '--db', db]);
    assert.equal(gone.code, 0, gone.stderr);
    const bad = await runCli(['role', 'assign', '--org', 'acme', '--user', 'ada', '--type', 'GOD', '--db', db]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /SUPER_ADMIN/);
    const neither = await runCli(['role', 'list', '--org', 'acme', '--db', db]);
    assert.equal(neither.code, 2);
    assert.match(neither.stderr, /--user LOGIN or --group NAME/);
  });

  it('exports all orgs with a cross file and the extension beside; --org keeps to one org', async () => {
    const out = path.join(dir, 'all.json');
    const cross = path.join(dir, 'cross.json');
    const summary = await runJson<{ nodes: number; extensionOut: string; orgs: string[] }>(['graph', 'export', '--all', '--out', out, '--cross-out', cross, '--db', db, '--json']);
    assert.deepEqual(summary.orgs.sort(), ['acme', 'globex']);
    assert.equal(summary.extensionOut, path.join(dir, 'all.extension.json'));
    const doc = JSON.parse(await readFile(out, 'utf8')) as OpenGraphDocument;
    assertValidOpenGraph(doc);
    assertValidOpenGraph(JSON.parse(await readFile(cross, 'utf8')));
    assert.equal(summary.nodes, doc.graph.nodes.length);
    assert.equal(await readFile(summary.extensionOut, 'utf8'), extensionSchemaText());
    const admin = doc.graph.edges.find((e) => e.kind === 'IdSync_SuperAdmin' && e.start.value.endsWith(':role:SUPER_ADMIN'));
    assert.ok(admin, 'the role assigned through the CLI is in the graph');

    const one = path.join(dir, 'acme.json');
    const text = await runCli(['graph', 'export', '--org', 'acme', '--out', one, '--db', db]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /exported \d+ nodes and \d+ edges of org "acme"/);
    const acme = JSON.parse(await readFile(one, 'utf8')) as OpenGraphDocument;
    assertValidOpenGraph(acme);
    assert.equal(JSON.stringify(acme).includes('grace'), false);
    assert.equal(JSON.stringify(acme).includes('globex'), false);

    const both = await runCli(['graph', 'export', '--org', 'acme', '--all', '--out', one, '--db', db]);
    assert.equal(both.code, 2);
  });
});
