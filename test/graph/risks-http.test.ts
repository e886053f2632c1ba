import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminClient, assertAdminError, type AdminClient } from '../admin/helpers.js';
import { startHub, type Hub } from '../helpers/hub.js';

describe('GET /api/admin/v1/graph/paths and /graph/risks', () => {
  let hub: Hub;
  let admin: AdminClient;
  before(async () => {
    hub = await startHub({ orgs: ['acme'] });
    admin = adminClient(hub, hub.org('acme'));
  });
  after(() => hub.close());

  it('answers findings and paths over the token org graph', async () => {
    const risks = await admin.call('GET', '/graph/risks');
    assert.equal(risks.status, 200, risks.text);
    assert.deepEqual(risks.body, { findings: [] });
    const orgId = hub.org('acme').org.id;
    const paths = await admin.call('GET', `/graph/paths?to=${encodeURIComponent(orgId)}&maxDepth=3`);
    assert.equal(paths.status, 200, paths.text);
    assert.equal(paths.body.direction, 'to');
    assert.deepEqual(paths.body.anchors.map((a: { id: string }) => a.id), [orgId]);
    assert.equal(paths.body.maxDepth, 3);
    assert.match(paths.body.cypher, /^MATCH p=allShortestPaths/);
  });

  it('refuses bad queries with 4xx errors that name the fix', async () => {
    assertAdminError(await admin.call('GET', '/graph/paths'), 400, 'GRAPH_NO_ANCHOR', /\?to=/);
    assertAdminError(await admin.call('GET', '/graph/paths?to=a&from=b'), 400, 'GRAPH_NO_ANCHOR');
    assertAdminError(await admin.call('GET', '/graph/paths?to=nobody'), 404, 'GRAPH_NODE_NOT_FOUND');
    assertAdminError(await admin.call('GET', '/graph/paths?to=x&maxDepth=deep'), 400, 'GRAPH_INVALID_BOUND');
    assertAdminError(await admin.call('GET', `/graph/paths?to=${hub.org('acme').org.id}&maxPaths=0`), 400, 'GRAPH_INVALID_BOUND');
    const anon = adminClient(hub, null);
    assert.equal((await anon.call('GET', '/graph/risks')).status, 401);
  });
});
