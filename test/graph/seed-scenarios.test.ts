/**
 * The two diagrams of the password-sync edge's documentation (seed
 * 000_12f6bd310c43841f), reproduced edge for edge from hub state built only
 * through public APIs (/api/v1, /api/admin/v1) on one hub with two orgs:
 *
 * 1. Active Directory hybrid: AD user -> hub user, PasswordSync and UserSync
 *    (cross-system, by objectSid).
 * 2. Org-to-org: a contoso user pushed with her password by a hub app into
 *    adatum, whose identity provider trusts that app.
 *
 * Plus tenant scoping (--org shows nothing of the other org, --all shows both),
 * no secrets in the export, the admin API route, and validity of every document.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/logging.js';
import { buildGraph, toDocuments } from '../../src/core/graph/builder.js';
import type { OpenGraphDocument, OpenGraphEdge } from '../../src/core/graph/kinds.js';
import { hubAppIssuerPath } from '../../src/core/graph/trust.js';
import { GraphExportService } from '../../src/services/graph/export.js';
import { ProvisioningWorker } from '../../src/services/provisioning/worker.js';
import { adminClient } from '../admin/helpers.js';
import { startHub, type Hub, type HubOrg } from '../helpers/hub.js';
import { assertValidOpenGraph } from '../helpers/opengraph.js';
import { okta } from './api.js';

const PASSWORD = 'Correct-Horse-Battery-9';
const SID = 'S-1-5-21-3623811015-3361044348-30300820-1013';


/** `Kind start -> end` with node names instead of ids, for readable exact comparisons. */
function named(doc: OpenGraphDocument, edges: OpenGraphEdge[]): string[] {
  const names = new Map(doc.graph.nodes.map((n) => [n.id, String(n.properties['name'])]));
  const name = (v: string, kind?: string) => (kind ? `${kind}:${v}` : (names.get(v) ?? `?${v}`));
  return edges.map((e) => `${name(e.start.value, e.start.kind)} -${e.kind}-> ${name(e.end.value, e.end.kind)}`).sort();
}

describe('seed diagrams from hub state built through the public APIs', () => {
  let hub: Hub;
  let worker: ProvisioningWorker;
  let contoso: HubOrg;
  let adatum: HubOrg;
  const ids: Record<string, string> = {};

  before(async () => {
    hub = await startHub({ orgs: ['contoso', 'adatum'], logLevel: 'silent' });
    contoso = hub.org('contoso');
    adatum = hub.org('adatum');
    worker = new ProvisioningWorker(hub.app.ctx, { logger: createLogger({ level: 'silent' }), random: () => 0.5 });
    await worker.start();

    // Diagram 1: a directory user mirrored in the hub.
    ids['john'] = (await okta(hub, contoso, 'POST', '/users?activate=true', {
      profile: { login: 'john@contoso.com', email: 'john@contoso.com', objectSid: SID },
      credentials: { provider: { type: 'ACTIVE_DIRECTORY', name: 'contoso.com' } },
    })).id;

    // Diagram 2: alice, the org-to-org app to adatum (password sync on), an idp in adatum trusting the app.
    ids['alice'] = (await okta(hub, contoso, 'POST', '/users?activate=true', { profile: { login: 'alice@contoso.com', email: 'alice@contoso.com' } })).id;
    const admin = adminClient(hub, contoso);
    const app = await admin.call('POST', '/apps', {
      name: 'Adatum Org2Org App',
      kind: 'hub',
      baseUrl: hub.url,
      auth: { type: 'ssws' },
      token: adatum.token,
      settings: { provisioning: { password: 'hub' } },
    });
    assert.equal(app.status, 201, app.text);
    ids['app1'] = app.body.id;
    assert.equal((await admin.call('PUT', `/apps/${ids['app1']}/users/${ids['alice']}`)).status, 204);
    await worker.idle();
    // A password set after the assignment is pushed (the hub holds it sealed until the push).
    await okta(hub, contoso, 'POST', `/users/${ids['alice']}`, { credentials: { password: { value: PASSWORD } } });
    await worker.idle();
    const there = await okta(hub, adatum, 'GET', `/users/${encodeURIComponent('alice@contoso.com')}`);
    ids['alice2'] = there.id;
    assert.equal(there.credentials.provider.type, 'OKTA', 'the pushed account has a password at the target');
    const idp = await okta(hub, adatum, 'POST', '/idps', {
      type: 'OIDC',
      name: 'Contoso Org2Org OIDC',
      protocol: { type: 'OIDC', issuer: { url: `${hub.url}${hubAppIssuerPath(contoso.org.id, ids['app1'] ?? '')}` } },
    });
    ids['idp2'] = idp.id;
  });

  after(async () => {
    await worker.stop();
    await hub.close();
  });

  const exportAll = async (splitCross: boolean) => new GraphExportService(hub.app.ctx).export({ all: true }, { splitCross });

  test('Active Directory hybrid: AD user -> hub user, PasswordSync and UserSync, in the cross-system file', async () => {
    const { main, cross } = await exportAll(true);
    assert.ok(cross);
    assertValidOpenGraph(main, 'main export');
    assertValidOpenGraph(cross, 'cross-system export');
    const john = cross.graph.edges.filter((e) => e.end.value === ids['john']);
    assert.deepEqual(named(main, john), [`User:${SID} -IdSync_PasswordSync-> john@contoso.com`, `User:${SID} -IdSync_UserSync-> john@contoso.com`]);
    for (const e of john) assert.deepEqual(e.start, { value: SID, match_by: 'id', kind: 'User' });
    assert.equal(main.graph.edges.some((e) => e.start.kind !== undefined), false, 'no cross-system edge left in the main file');
  });

  test('org-to-org: the diagram edge for edge', async () => {
    const { main } = await exportAll(false);
    assertValidOpenGraph(main);
    const diagram = new Set([ids['alice'], ids['alice2'], ids['app1'], ids['idp2']]);
    const among = main.graph.edges.filter((e) => diagram.has(e.start.value) && diagram.has(e.end.value));
    assert.deepEqual(named(main, among), [
      'Adatum Org2Org App -IdSync_OutboundOrgSSO-> Contoso Org2Org OIDC',
      'Adatum Org2Org App -IdSync_ReadPasswordUpdates-> alice@contoso.com',
      'Contoso Org2Org OIDC -IdSync_IdentityProviderFor-> alice@contoso.com',
      'alice@contoso.com -IdSync_AppAssignment-> Adatum Org2Org App',
      'alice@contoso.com -IdSync_OutboundSSO-> alice@contoso.com',
      'alice@contoso.com -IdSync_PasswordSync-> alice@contoso.com',
      'alice@contoso.com -IdSync_UserPush-> Adatum Org2Org App',
      'alice@contoso.com -IdSync_UserSync-> alice@contoso.com',
    ]);
    // Same names, different accounts: check the directions by id.
    const by = (kind: string) => among.filter((e) => e.kind === kind).map((e) => [e.start.value, e.end.value]);
    assert.deepEqual(by('IdSync_PasswordSync'), [[ids['alice'], ids['alice2']]]);
    assert.deepEqual(by('IdSync_OutboundSSO'), [[ids['alice'], ids['alice2']]]);
    assert.deepEqual(by('IdSync_IdentityProviderFor'), [[ids['idp2'], ids['alice2']]]);
    assert.deepEqual(by('IdSync_ReadPasswordUpdates'), [[ids['app1'], ids['alice']]]);
    const kinds = new Map(main.graph.nodes.map((n) => [n.id, n.kinds[0]]));
    assert.deepEqual([ids['alice'], ids['alice2'], ids['app1'], ids['idp2']].map((id) => kinds.get(id ?? '')), ['IdSync_User', 'IdSync_User', 'IdSync_App', 'IdSync_IdentityProvider']);
    assert.equal(main.metadata.source_kind, 'IdSync_Base');
  });

  test('--org shows nothing of the other org; --all shows both', async () => {
    const service = new GraphExportService(hub.app.ctx);
    const one = (await service.export({ org: contoso.org }, { splitCross: false })).main;
    assertValidOpenGraph(one);
    const text = JSON.stringify(one);
    for (const secretOfAdatum of [adatum.org.id, adatum.org.name, ids['idp2'], 'Contoso Org2Org OIDC', adatum.tokenId]) {
      assert.equal(text.includes(String(secretOfAdatum)), false, `${secretOfAdatum} of adatum leaked into contoso's export`);
    }
    assert.equal(one.graph.nodes.some((n) => n.properties['org_id'] === adatum.org.id || n.id === adatum.org.id), false);
    // contoso's own record of the account it pushes: a target account with the same id a full export uses.
    const target = one.graph.nodes.find((n) => n.id === ids['alice2']);
    assert.equal(target?.kinds[0], 'IdSync_TargetAccount');
    const all = (await exportAll(false)).main;
    const orgs = all.graph.nodes.filter((n) => n.kinds[0] === 'IdSync_Org').map((n) => n.properties['name']).sort();
    assert.deepEqual(orgs, ['adatum', 'contoso']);
  });

  test('no secrets: no token secret, hash or prefix, no password hash, no sealed credential', async () => {
    const { main } = await exportAll(false);
    const text = JSON.stringify(main);
    const rows = await hub.app.ctx.store.backend.db.selectFrom('api_tokens').select(['token_hash', 'prefix']).execute();
    for (const r of rows) {
      assert.equal(text.includes(r.token_hash), false);
      assert.equal(text.includes(r.prefix), false);
    }
    for (const token of [contoso.token, adatum.token]) assert.equal(text.includes(token), false);
    assert.equal(text.includes(PASSWORD), false);
    assert.doesNotMatch(text, /\$argon2|sealed|"v1\./);
    const apps = await hub.app.ctx.store.backend.db.selectFrom('apps').select('sealed_secret').execute();
    for (const a of apps) if (a.sealed_secret) assert.equal(text.includes(a.sealed_secret), false);
    // Every node kind is one of ours, with the one base kind BloodHound adds.
    const tokens = main.graph.nodes.filter((n) => n.kinds[0] === 'IdSync_ApiToken');
    assert.equal(tokens.length, 2);
    for (const t of tokens) assert.deepEqual(Object.keys(t.properties).sort(), ['name', 'org_id', 'org_name']);
  });

  test('GET /api/admin/v1/graph returns the token org\u2019s document; another org by name is a 404', async () => {
    const res = await adminClient(hub, contoso).call('GET', '/graph');
    assert.equal(res.status, 200, res.text);
    assertValidOpenGraph(res.body);
    const direct = (await new GraphExportService(hub.app.ctx).export({ org: contoso.org }, { splitCross: false })).main;
    assert.deepEqual(res.body, JSON.parse(JSON.stringify(direct)));
    assert.equal((await adminClient(hub, contoso).call('GET', '/graph?org=contoso')).status, 200);
    const other = await adminClient(hub, contoso).call('GET', '/graph?org=adatum');
    assert.equal(other.status, 404);
    assert.equal(other.body.error.code, 'ORG_NOT_FOUND');
  });

  test('the builder alone gives the same document as the service (pure, deterministic)', async () => {
    const service = new GraphExportService(hub.app.ctx);
    const snap = await service.snapshot({ all: true });
    assert.deepEqual(toDocuments(buildGraph(snap), false).main, (await exportAll(false)).main);
  });
});
