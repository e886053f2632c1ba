import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OpenGraphDocument } from '../../src/core/graph/kinds.js';
import { chainText, cypherString, findPaths, pathsText, TRAVERSABLE_EDGE_KINDS } from '../../src/core/graph/paths.js';
import { buildView } from '../../src/core/graph/view.js';
import { AD_SID, edge, scenario } from './paths-fixture.js';

const chains = (doc: OpenGraphDocument, q: Parameters<typeof findPaths>[1]): string[] => findPaths(buildView(doc), q).paths.map(chainText);

describe('graph paths --to', () => {
  it('lists every principal that reaches SUPER_ADMIN, shortest first, with parallel edges as one step', () => {
    assert.deepEqual(chains(scenario(), { direction: 'to', ref: 'SUPER_ADMIN' }), [
      'carol@adatum (IdSync_User) -[IdSync_HasRole]-> SUPER_ADMIN @ adatum (IdSync_Role)',
      'alice@adatum (IdSync_User) -[IdSync_MemberOf]-> Admins (IdSync_Group) -[IdSync_HasRole]-> SUPER_ADMIN @ adatum (IdSync_Role)',
      'bob@adatum (IdSync_User) -[IdSync_MemberOf]-> Admins (IdSync_Group) -[IdSync_HasRole]-> SUPER_ADMIN @ adatum (IdSync_Role)',
      'alice@contoso (IdSync_User) -[IdSync_OutboundSSO|IdSync_PasswordSync]-> alice@adatum (IdSync_User) -[IdSync_MemberOf]-> Admins (IdSync_Group) -[IdSync_HasRole]-> SUPER_ADMIN @ adatum (IdSync_Role)',
      'bob@contoso (IdSync_User) -[IdSync_PasswordSync]-> bob@adatum (IdSync_User) -[IdSync_MemberOf]-> Admins (IdSync_Group) -[IdSync_HasRole]-> SUPER_ADMIN @ adatum (IdSync_Role)',
      // The Active Directory user is a placeholder node of kind User: a principal like any other.
      `${AD_SID} (User) -[IdSync_PasswordSync]-> alice@contoso (IdSync_User) -[IdSync_OutboundSSO|IdSync_PasswordSync]-> alice@adatum (IdSync_User) -[IdSync_MemberOf]-> Admins (IdSync_Group) -[IdSync_HasRole]-> SUPER_ADMIN @ adatum (IdSync_Role)`,
    ]);
  });

  it('resolves a group by name, a user by login, and a node id', () => {
    const view = buildView(scenario());
    assert.deepEqual(findPaths(view, { direction: 'to', ref: 'admins' }).anchors.map((a) => a.id), ['grp_admins']);
    assert.deepEqual(findPaths(view, { direction: 'to', ref: 'ALICE@adatum' }).anchors.map((a) => a.id), ['usr_aa']);
    assert.deepEqual(findPaths(view, { direction: 'to', ref: 'org_a:role:SUPER_ADMIN' }).anchors.map((a) => a.id), ['org_a:role:SUPER_ADMIN']);
    const toAlice = findPaths(view, { direction: 'to', ref: 'alice@adatum' }).paths.map((p) => p.nodes[0]?.name);
    // Admins of adatum reach her too: the role controls the org, which contains her.
    assert.deepEqual(toAlice, ['alice@contoso', AD_SID, 'carol@adatum', 'bob@adatum', 'bob@contoso']);
  });

  it('refuses an unknown target with a not-found error that says what to type', () => {
    assert.throws(() => findPaths(buildView(scenario()), { direction: 'to', ref: 'nobody' }), (e: unknown) => {
      const err = e as { code: string; kind: string; message: string };
      return err.code === 'GRAPH_NODE_NOT_FOUND' && err.kind === 'not_found' && /role type/.test(err.message);
    });
  });

  it('stops at --max-paths and says so', () => {
    const r = findPaths(buildView(scenario()), { direction: 'to', ref: 'SUPER_ADMIN', maxPaths: 2 });
    assert.equal(r.paths.length, 2);
    assert.equal(r.truncated, true);
    assert.match(pathsText(r).join('\n'), /cut at --max-paths 2/);
    const all = findPaths(buildView(scenario()), { direction: 'to', ref: 'SUPER_ADMIN', maxPaths: 6 });
    assert.equal(all.paths.length, 6);
    assert.equal(all.truncated, false);
  });

  it('stops at --max-depth', () => {
    const r = findPaths(buildView(scenario()), { direction: 'to', ref: 'SUPER_ADMIN', maxDepth: 2 });
    assert.deepEqual(r.paths.map((p) => p.nodes[0]?.name), ['carol@adatum', 'alice@adatum', 'bob@adatum']);
    assert.throws(() => findPaths(buildView(scenario()), { direction: 'to', ref: 'SUPER_ADMIN', maxDepth: 0 }), /--max-depth must be a whole number/);
  });

  it('lists every shortest path when there are several, and ends on cycles', () => {
    const doc: OpenGraphDocument = {
      metadata: { source_kind: 'IdSync_Base' },
      graph: {
        nodes: [
          { id: 'a', kinds: ['IdSync_User'], properties: { name: 'a' } },
          { id: 'b', kinds: ['IdSync_User'], properties: { name: 'b' } },
          { id: 'g1', kinds: ['IdSync_Group'], properties: { name: 'g1' } },
          { id: 'g2', kinds: ['IdSync_Group'], properties: { name: 'g2' } },
          { id: 'r', kinds: ['IdSync_Role'], properties: { name: 'r', role_type: 'ORG_ADMIN', is_admin: true } },
        ],
        edges: [
          // a and b sync each other's passwords: a cycle.
          edge('IdSync_PasswordSync', 'a', 'b'),
          edge('IdSync_PasswordSync', 'b', 'a'),
          edge('IdSync_MemberOf', 'b', 'g2'),
          edge('IdSync_MemberOf', 'b', 'g1'),
          edge('IdSync_HasRole', 'g1', 'r'),
          edge('IdSync_HasRole', 'g2', 'r'),
        ],
      },
    };
    assert.deepEqual(chains(doc, { direction: 'to', ref: 'ORG_ADMIN' }), [
      'b (IdSync_User) -[IdSync_MemberOf]-> g1 (IdSync_Group) -[IdSync_HasRole]-> r (IdSync_Role)',
      'b (IdSync_User) -[IdSync_MemberOf]-> g2 (IdSync_Group) -[IdSync_HasRole]-> r (IdSync_Role)',
      'a (IdSync_User) -[IdSync_PasswordSync]-> b (IdSync_User) -[IdSync_MemberOf]-> g1 (IdSync_Group) -[IdSync_HasRole]-> r (IdSync_Role)',
      'a (IdSync_User) -[IdSync_PasswordSync]-> b (IdSync_User) -[IdSync_MemberOf]-> g2 (IdSync_Group) -[IdSync_HasRole]-> r (IdSync_Role)',
    ]);
    // The same answer whatever order the document lists things in.
    const reversed: OpenGraphDocument = { ...doc, graph: { nodes: [...doc.graph.nodes].reverse(), edges: [...doc.graph.edges].reverse() } };
    assert.deepEqual(chains(reversed, { direction: 'to', ref: 'ORG_ADMIN' }), chains(doc, { direction: 'to', ref: 'ORG_ADMIN' }));
  });

  it('does not walk non-traversable edges (UserSync, UserPush, AppAssignment)', () => {
    const r = findPaths(buildView(scenario()), { direction: 'to', ref: 'Adatum Org2Org' });
    // Only ReadPasswordUpdates-free principals could reach an app by a traversable edge: none here.
    assert.deepEqual(r.paths, []);
  });
});

describe('graph paths --from', () => {
  it('lists what an account reaches, nearest first', () => {
    const r = findPaths(buildView(scenario()), { direction: 'from', ref: 'alice@contoso', maxDepth: 3 });
    assert.deepEqual(r.paths.map(chainText), [
      'alice@contoso (IdSync_User) -[IdSync_OutboundSSO|IdSync_PasswordSync]-> alice@adatum (IdSync_User)',
      'alice@contoso (IdSync_User) -[IdSync_OutboundSSO|IdSync_PasswordSync]-> alice@adatum (IdSync_User) -[IdSync_MemberOf]-> Admins (IdSync_Group)',
      'alice@contoso (IdSync_User) -[IdSync_OutboundSSO|IdSync_PasswordSync]-> alice@adatum (IdSync_User) -[IdSync_MemberOf]-> Admins (IdSync_Group) -[IdSync_HasRole]-> SUPER_ADMIN @ adatum (IdSync_Role)',
    ]);
  });

  it('takes over the whole org once it reaches the role, and stops at --max-paths', () => {
    const r = findPaths(buildView(scenario()), { direction: 'from', ref: AD_SID });
    const ends = r.paths.map((p) => p.nodes[p.nodes.length - 1]?.name);
    assert.ok(ends.includes('tok_a') === false && ends.includes('automation'), 'the org contains its token');
    assert.ok(ends.includes('carol@adatum'));
    assert.equal(r.truncated, false);
    const cut = findPaths(buildView(scenario()), { direction: 'from', ref: AD_SID, maxPaths: 3 });
    assert.equal(cut.paths.length, 3);
    assert.equal(cut.truncated, true);
  });

  it('refuses a non-account', () => {
    assert.throws(() => findPaths(buildView(scenario()), { direction: 'from', ref: 'Admins' }), /not an account/);
  });
});

describe('graph paths Cypher', () => {
  it('matches the upper-cased objectid BloodHound stores and the traversable kinds', () => {
    const r = findPaths(buildView(scenario()), { direction: 'to', ref: 'SUPER_ADMIN' });
    assert.equal(
      r.cypher,
      `MATCH p=allShortestPaths((s)-[:${TRAVERSABLE_EDGE_KINDS.join('|')}*1..4]->(t)) WHERE t.objectid = 'ORG_A:ROLE:SUPER_ADMIN' AND s <> t AND (s:IdSync_User OR s:IdSync_TargetAccount OR s:User OR s:Okta_User) RETURN p`,
    );
    assert.ok(TRAVERSABLE_EDGE_KINDS.includes('IdSync_PasswordSync'));
    assert.ok(!TRAVERSABLE_EDGE_KINDS.includes('IdSync_UserSync'));
    const from = findPaths(buildView(scenario()), { direction: 'from', ref: 'alice@contoso', maxDepth: 2 });
    assert.match(from.cypher, /\*1\.\.2\]->\(t\)\) WHERE s\.objectid = 'USR_AC' AND s <> t RETURN p$/);
  });

  it('escapes quotes and backslashes', () => {
    assert.equal(cypherString("o'brien\\x"), "'o\\'brien\\\\x'");
  });
});
