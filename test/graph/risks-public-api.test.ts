/**
 * Paths and risks with a known answer, on hub state built only through the public
 * APIs: contoso (default policy, 8 characters) pushes alice with her password into
 * adatum (14 characters), where her account is a SUPER_ADMIN. So alice@contoso
 * takes over adatum through password sync, her password comes from a weaker policy,
 * and the org-to-org app receives passwords on an admin path.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chainText, findPaths } from '../../src/core/graph/paths.js';
import { findRisks } from '../../src/core/graph/risks.js';
import { buildView } from '../../src/core/graph/view.js';
import { createLogger } from '../../src/logging.js';
import { GraphExportService } from '../../src/services/graph/export.js';
import { ProvisioningWorker } from '../../src/services/provisioning/worker.js';
import { adminClient } from '../admin/helpers.js';
import { startHub, type Hub, type HubOrg } from '../helpers/hub.js';
import { assertValidOpenGraph } from '../helpers/opengraph.js';
import { okta } from './api.js';

const PASSWORD = 'Correct-Horse-Battery-9x';


describe('paths and risks on a scenario built through the public APIs', () => {
  let hub: Hub;
  let worker: ProvisioningWorker;
  const ids: Record<string, string> = {};

  before(async () => {
    hub = await startHub({ orgs: ['contoso', 'adatum'], logLevel: 'silent' });
    const contoso = hub.org('contoso');
    const adatum = hub.org('adatum');
    worker = new ProvisioningWorker(hub.app.ctx, { logger: createLogger({ level: 'silent' }), random: () => 0.5 });
    await worker.start();

    const [policy] = await okta(hub, adatum, 'GET', '/policies?type=PASSWORD');
    policy.settings.password.complexity.minLength = 14;
    await okta(hub, adatum, 'PUT', `/policies/${policy.id}`, policy);

    ids['alice'] = (await okta(hub, contoso, 'POST', '/users?activate=true', { profile: { login: 'alice@contoso.com', email: 'alice@contoso.com' } })).id;
    ids['bob'] = (await okta(hub, contoso, 'POST', '/users?activate=true', { profile: { login: 'bob@contoso.com', email: 'bob@contoso.com' } })).id;
    const app = await adminClient(hub, contoso).call('POST', '/apps', {
      name: 'Adatum Org2Org',
      kind: 'hub',
      baseUrl: hub.url,
      auth: { type: 'ssws' },
      token: adatum.token,
      settings: { provisioning: { password: 'hub' } },
    });
    assert.equal(app.status, 201, app.text);
    ids['app'] = app.body.id;
    assert.equal((await adminClient(hub, contoso).call('PUT', `/apps/${ids['app']}/users/${ids['alice']}`)).status, 204);
    await worker.idle();
    await okta(hub, contoso, 'POST', `/users/${ids['alice']}`, { credentials: { password: { value: PASSWORD } } });
    await worker.idle();
    ids['alice2'] = (await okta(hub, adatum, 'GET', `/users/${encodeURIComponent('alice@contoso.com')}`)).id;
    await okta(hub, adatum, 'POST', `/users/${ids['alice2']}/roles`, { type: 'SUPER_ADMIN' });
  });

  after(async () => {
    await worker.stop();
    await hub.close();
  });

  const view = async () => {
    const { main } = await new GraphExportService(hub.app.ctx).export({ all: true }, { splitCross: false });
    assertValidOpenGraph(main);
    return buildView(main);
  };

  test('paths to SUPER_ADMIN: alice@contoso through password sync, and the admins of adatum', async () => {
    const result = findPaths(await view(), { direction: 'to', ref: 'SUPER_ADMIN' });
    // Both accounts have the login alice@contoso.com: tell them apart by id.
    const from = (id: string | undefined) => result.paths.filter((p) => p.nodes[0]?.id === id).map(chainText);
    assert.deepEqual(from(ids['alice2']), ['alice@contoso.com (IdSync_User) -[IdSync_HasRole]-> SUPER_ADMIN (adatum) (IdSync_Role)']);
    assert.deepEqual(from(ids['alice']), [
      'alice@contoso.com (IdSync_User) -[IdSync_PasswordSync]-> alice@contoso.com (IdSync_User) -[IdSync_HasRole]-> SUPER_ADMIN (adatum) (IdSync_Role)',
    ]);
    assert.deepEqual(from(ids['bob']), [], 'bob is not assigned: no path');
    assert.match(result.cypher, /^MATCH p=/);
  });

  test('risks: the known answer', async () => {
    const findings = findRisks(await view());
    const byType = (t: string) => findings.filter((f) => f.type === t);
    const takeover = byType('password_sync_to_admin');
    assert.equal(takeover.length, 1);
    assert.equal(takeover[0]!.severity, 'critical');
    assert.deepEqual(takeover[0]!.accounts.map((a) => a.name).sort(), ['alice@contoso.com', 'alice@contoso.com']);
    assert.deepEqual(takeover[0]!.apps.map((a) => a.name), ['Adatum Org2Org']);

    const weaker = byType('weaker_policy_sync');
    assert.equal(weaker.length, 1);
    assert.match(weaker[0]!.explanation, /8/);
    assert.match(weaker[0]!.explanation, /14/);

    const receives = byType('app_receives_passwords');
    assert.equal(receives.length, 1);
    assert.equal(receives[0]!.severity, 'high', 'the app is on an admin path');
    for (const f of findings) assert.ok(f.fix.length > 20, `${f.id} has a fix`);
  });
});
