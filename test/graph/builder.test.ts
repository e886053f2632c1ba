/**
 * The pure export builder on hand-made snapshots: each edge rule with the case
 * that makes it and the cases that must not, role and scope rights, mirrors of
 * AD and Okta users, the cross-system split, determinism, and schema validity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGraph, toDocuments } from '../../src/core/graph/builder.js';
import { graphIds, isTraversable, type OpenGraphEdge } from '../../src/core/graph/kinds.js';
import type { GraphSnapshot, OrgSnapshot, SnapshotApp, SnapshotUser } from '../../src/core/graph/snapshot.js';
import { DEFAULT_PASSWORD_POLICY_SETTINGS } from '../../src/core/password-policy.js';
import { assertValidOpenGraph } from '../helpers/opengraph.js';

const user = (id: string, more: Partial<SnapshotUser> = {}): SnapshotUser => ({
  id,
  login: `${id}@example.test`,
  email: `${id}@example.test`,
  status: 'ACTIVE',
  credentialProvider: 'HUB',
  hasPassword: true,
  externalId: null,
  attributes: {},
  ...more,
});

const app = (id: string, more: Partial<SnapshotApp> = {}): SnapshotApp => ({
  id,
  name: `app ${id}`,
  kind: 'scim',
  status: 'ACTIVE',
  passwordMode: 'hub',
  pushes: true,
  baseUrl: 'https://target.example/scim/v2',
  directUserIds: [],
  groupAssignments: [],
  userLinks: [],
  ...more,
});

const org = (id: string, more: Partial<OrgSnapshot> = {}): OrgSnapshot => ({
  id,
  name: id,
  policy: DEFAULT_PASSWORD_POLICY_SETTINGS,
  users: [],
  groups: [],
  apps: [],
  idps: [],
  roles: [],
  tokens: [],
  clients: [],
  ...more,
});

const link = (localId: string, targetId: string) => ({ localId, targetId, targetName: `${localId}-at-target`, state: 'ACTIVE' as const });
const edges = (all: OpenGraphEdge[], kind: string): string[] => all.filter((e) => e.kind === kind).map((e) => `${e.start.value}->${e.end.value}`).sort();

test('PasswordSync only where the password really flows; ReadPasswordUpdates only for the hub mode', () => {
  const users = [
    user('usr_ok'),
    user('usr_fed', { credentialProvider: 'FEDERATION', hasPassword: false }),
    user('usr_gone', { status: 'DEPROVISIONED' }),
    user('usr_unassigned'),
    user('usr_group'),
  ];
  const s: GraphSnapshot = {
    orgs: [
      org('org_a', {
        users,
        groups: [{ id: 'grp_g', name: 'G', memberIds: ['usr_group'] }],
        apps: [
          app('app_hub', {
            directUserIds: ['usr_ok', 'usr_fed', 'usr_gone'],
            groupAssignments: [{ groupId: 'grp_g', push: false }],
            userLinks: ['usr_ok', 'usr_fed', 'usr_gone', 'usr_unassigned', 'usr_group'].map((u) => link(u, `t_${u}`)),
          }),
          app('app_random', { passwordMode: 'random', directUserIds: ['usr_ok'], userLinks: [link('usr_ok', 'r1')] }),
          app('app_off', { passwordMode: 'off', directUserIds: ['usr_ok'], userLinks: [link('usr_ok', 'o1')] }),
          app('app_inactive', { status: 'INACTIVE', directUserIds: ['usr_ok'], userLinks: [link('usr_ok', 'i1')] }),
        ],
      }),
    ],
  };
  const g = buildGraph(s);
  assert.deepEqual(edges(g.edges, 'IdSync_PasswordSync'), [
    `usr_group->${graphIds.scimAccount('app_hub', 't_usr_group')}`,
    `usr_ok->${graphIds.scimAccount('app_hub', 't_usr_ok')}`,
    `usr_ok->${graphIds.scimAccount('app_random', 'r1')}`,
  ]);
  const random = g.edges.find((e) => e.kind === 'IdSync_PasswordSync' && e.properties['app_id'] === 'app_random');
  assert.equal(random?.properties['password_mode'], 'random');
  assert.deepEqual(edges(g.edges, 'IdSync_ReadPasswordUpdates'), ['app_hub->usr_group', 'app_hub->usr_ok']);
  // Profile sync runs for every assigned, linked user of an active app, federated or not.
  assert.deepEqual(edges(g.edges, 'IdSync_UserSync').length, 6);
  assert.deepEqual(edges(g.edges, 'IdSync_AppAssignment').filter((e) => e.startsWith('grp_')), ['grp_g->app_hub']);
  assert.equal(edges(g.edges, 'IdSync_UserPush').includes('usr_ok->app_inactive'), false);
  assertValidOpenGraph(toDocuments(g, false).main);
});

test('a hub app whose target org is in the export points at that user; a FEDERATION target gets no PasswordSync', () => {
  const s: GraphSnapshot = {
    orgs: [
      org('org_a', { users: [user('usr_a1'), user('usr_a2')], apps: [app('app_o2o', { kind: 'hub', directUserIds: ['usr_a1', 'usr_a2'], userLinks: [link('usr_a1', 'usr_b1'), link('usr_a2', 'usr_b2')] })] }),
      org('org_b', { users: [user('usr_b1'), user('usr_b2', { credentialProvider: 'FEDERATION', hasPassword: false })] }),
    ],
  };
  const g = buildGraph(s);
  assert.deepEqual(edges(g.edges, 'IdSync_PasswordSync'), ['usr_a1->usr_b1']);
  assert.deepEqual(edges(g.edges, 'IdSync_UserSync'), ['usr_a1->usr_b1', 'usr_a2->usr_b2']);
  assert.equal(g.nodes.some((n) => n.kinds[0] === 'IdSync_TargetAccount'), false);

  // Exported alone, org_a names the accounts by the same ids, as target accounts.
  const alone = buildGraph({ orgs: [s.orgs[0]!] });
  const targets = alone.nodes.filter((n) => n.kinds[0] === 'IdSync_TargetAccount').map((n) => n.id).sort();
  assert.deepEqual(targets, ['usr_b1', 'usr_b2']);
  assert.deepEqual(edges(alone.edges, 'IdSync_PasswordSync'), ['usr_a1->usr_b1', 'usr_a2->usr_b2']);
});

test('roles, tokens and service-app scopes give admin-right edges; user admins do not reach admins', () => {
  const s: GraphSnapshot = {
    orgs: [
      org('org_a', {
        users: [user('usr_boss'), user('usr_help'), user('usr_plain')],
        groups: [{ id: 'grp_ops', name: 'Ops', memberIds: ['usr_help'] }],
        apps: [app('app_1')],
        roles: [
          { id: 'rol_1', orgId: 'org_a', type: 'SUPER_ADMIN', principal: { type: 'USER', id: 'usr_boss' }, created: 't' },
          { id: 'rol_2', orgId: 'org_a', type: 'HELP_DESK_ADMIN', principal: { type: 'GROUP', id: 'grp_ops' }, created: 't' },
          { id: 'rol_3', orgId: 'org_a', type: 'READ_ONLY_ADMIN', principal: { type: 'USER', id: 'usr_plain' }, created: 't' },
        ],
        tokens: [{ id: 'tok_1', name: 'cli' }],
        clients: [{ id: 'cli_1', name: 'sync', scopes: ['okta.users.manage', 'okta.apps.read'] }],
      }),
    ],
  };
  const g = buildGraph(s);
  const help = graphIds.role('org_a', 'HELP_DESK_ADMIN');
  assert.deepEqual(edges(g.edges, 'IdSync_HasRole'), [`grp_ops->${help}`, `usr_boss->${graphIds.role('org_a', 'SUPER_ADMIN')}`, `usr_plain->${graphIds.role('org_a', 'READ_ONLY_ADMIN')}`]);
  assert.deepEqual(edges(g.edges, 'IdSync_SuperAdmin'), [`${graphIds.role('org_a', 'SUPER_ADMIN')}->org_a`, 'tok_1->org_a']);
  // Help desk admins reset passwords of non-admins: not the super admin, not themselves (an admin through the group).
  assert.deepEqual(edges(g.edges, 'IdSync_HelpDeskAdmin'), [`${help}->usr_plain`]);
  assert.deepEqual(edges(g.edges, 'IdSync_UserAdmin'), ['cli_1->usr_boss', 'cli_1->usr_help', 'cli_1->usr_plain']);
  assert.equal(isTraversable('IdSync_ReadOnlyAdmin'), false);
  const admins = g.nodes.filter((n) => n.properties['is_admin'] === true && n.kinds[0] === 'IdSync_User').map((n) => n.id).sort();
  assert.deepEqual(admins, ['usr_boss', 'usr_help']);
  const readOnly = g.nodes.find((n) => n.id === graphIds.role('org_a', 'READ_ONLY_ADMIN'));
  assert.equal(readOnly?.properties['is_admin'], false);
  assertValidOpenGraph(toDocuments(g, false).main);
});

test('AD and Okta mirrors point at the other collectors\u2019 nodes, and split into the cross file', () => {
  const s: GraphSnapshot = {
    orgs: [
      org('org_a', {
        users: [
          user('usr_ad', { credentialProvider: 'ACTIVE_DIRECTORY', hasPassword: false, attributes: { objectSid: 's-1-5-21-1004336348-1177238915-682003330-1105' } }),
          user('usr_ad_nosid', { credentialProvider: 'ACTIVE_DIRECTORY' }),
          user('usr_sid_not_ad', { attributes: { objectSid: 'S-1-5-21-1-2-3-4' } }),
          user('usr_okta', { externalId: '00u1a2b3c4d5e6f7g8h9' }),
        ],
      }),
    ],
  };
  const g = buildGraph(s);
  const sid = 'S-1-5-21-1004336348-1177238915-682003330-1105';
  assert.deepEqual(
    g.crossEdges.map((e) => [e.kind, e.start.kind, e.start.value, e.start.match_by, e.end.value]),
    [
      ['IdSync_PasswordSync', 'User', sid, 'id', 'usr_ad'],
      ['IdSync_PasswordSync', 'Okta_User', '00u1a2b3c4d5e6f7g8h9', 'id', 'usr_okta'],
      ['IdSync_UserSync', 'User', sid, 'id', 'usr_ad'],
      ['IdSync_UserSync', 'Okta_User', '00u1a2b3c4d5e6f7g8h9', 'id', 'usr_okta'],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[2]).localeCompare(String(b[2]))),
  );
  const split = toDocuments(g, true);
  assert.equal(split.main.graph.edges.some((e) => e.start.kind !== undefined), false);
  assert.equal(split.cross?.graph.edges.length, 4);
  assert.equal(toDocuments(g, false).main.graph.edges.length, g.edges.length + 4);
  for (const d of [split.main, split.cross, toDocuments(g, false).main]) assertValidOpenGraph(d);
});

test('the same snapshot gives the same document, byte for byte, whatever the input order', () => {
  const a = org('org_a', { users: [user('usr_2'), user('usr_1')], groups: [{ id: 'grp_1', name: 'G', memberIds: ['usr_2', 'usr_1'] }] });
  const b = org('org_a', { users: [user('usr_1'), user('usr_2')], groups: [{ id: 'grp_1', name: 'G', memberIds: ['usr_1', 'usr_2'] }] });
  assert.equal(JSON.stringify(toDocuments(buildGraph({ orgs: [a] }), false)), JSON.stringify(toDocuments(buildGraph({ orgs: [b] }), false)));
});
