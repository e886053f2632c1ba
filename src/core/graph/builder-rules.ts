/**
 * The edge rules of the export, one function per family. Each states when an
 * edge exists in the words of the hub's own records; the semantics follow the
 * Okta extension (reference/opengraph/okta-extension/schema.json).
 */
import type { AdminRoleType } from '../roles.js';
import type { GraphSink, UserIndex } from './builder.js';
import { FOREIGN_KINDS, graphIds, type EdgeKind } from './kinds.js';
import type { GraphSnapshot, OrgSnapshot, SnapshotApp, SnapshotUser } from './snapshot.js';
import { adObjectSid, oktaUserId, sourceOfAccount, trustedHubApp } from './trust.js';

/** What each role type controls: the org itself, or each object of a kind (Okta's scopes for the standard roles). */
const ROLE_RIGHTS: Readonly<Record<AdminRoleType, { edge: EdgeKind; over: 'org' | 'users' | 'nonAdminUsers' | 'groups' | 'apps' }>> = {
  SUPER_ADMIN: { edge: 'IdSync_SuperAdmin', over: 'org' },
  ORG_ADMIN: { edge: 'IdSync_OrgAdmin', over: 'org' },
  // A user admin or help desk admin resets passwords, but not of other admins (as in Okta).
  USER_ADMIN: { edge: 'IdSync_UserAdmin', over: 'nonAdminUsers' },
  HELP_DESK_ADMIN: { edge: 'IdSync_HelpDeskAdmin', over: 'nonAdminUsers' },
  GROUP_MEMBERSHIP_ADMIN: { edge: 'IdSync_GroupMembershipAdmin', over: 'groups' },
  APP_ADMIN: { edge: 'IdSync_AppAdmin', over: 'apps' },
  READ_ONLY_ADMIN: { edge: 'IdSync_ReadOnlyAdmin', over: 'org' },
};

/** OAuth scopes that let a service app take over objects, and the edge each gives. */
const SCOPE_RIGHTS: readonly { scope: string; edge: EdgeKind; over: 'users' | 'groups' | 'apps' | 'idps' }[] = [
  { scope: 'okta.users.manage', edge: 'IdSync_UserAdmin', over: 'users' },
  { scope: 'okta.groups.manage', edge: 'IdSync_GroupMembershipAdmin', over: 'groups' },
  { scope: 'okta.apps.manage', edge: 'IdSync_AppAdmin', over: 'apps' },
  { scope: 'okta.idps.manage', edge: 'IdSync_IdpAdmin', over: 'idps' },
];

/** Scopes that make a service app an admin-like node of the export. */
export const MANAGE_SCOPES: readonly string[] = SCOPE_RIGHTS.map((s) => s.scope);

function targetsOf(o: OrgSnapshot, over: 'org' | 'users' | 'nonAdminUsers' | 'groups' | 'apps' | 'idps', admins: ReadonlySet<string>): string[] {
  switch (over) {
    case 'org':
      return [o.id];
    case 'users':
      return o.users.map((u) => u.id);
    case 'nonAdminUsers':
      return o.users.filter((u) => !admins.has(u.id)).map((u) => u.id);
    case 'groups':
      return o.groups.map((g) => g.id);
    case 'apps':
      return o.apps.map((a) => a.id);
    case 'idps':
      return o.idps.map((i) => i.id);
  }
}

/** Roles (user/group -> role -> what it controls), org API tokens (full admins) and service apps' manage scopes. */
export function addRightsEdges(sink: GraphSink, o: OrgSnapshot, admins: ReadonlySet<string>): void {
  for (const r of o.roles) sink.edge('IdSync_HasRole', r.principal.id, graphIds.role(o.id, r.type), { role_id: r.id });
  for (const type of new Set(o.roles.map((r) => r.type))) {
    const rights = ROLE_RIGHTS[type];
    for (const t of targetsOf(o, rights.over, admins)) sink.edge(rights.edge, graphIds.role(o.id, type), t);
  }
  for (const t of o.tokens) sink.edge('IdSync_SuperAdmin', t.id, o.id);
  for (const c of o.clients) {
    for (const s of SCOPE_RIGHTS) {
      if (!c.scopes.includes(s.scope)) continue;
      for (const t of targetsOf(o, s.over, admins)) sink.edge(s.edge, c.id, t, { scope: s.scope });
    }
  }
}

/** Users assigned to an app, directly or through a group. */
export function assignedUserIds(o: OrgSnapshot, app: SnapshotApp): Set<string> {
  const ids = new Set(app.directUserIds);
  const members = new Map(o.groups.map((g) => [g.id, g.memberIds]));
  for (const a of app.groupAssignments) for (const m of members.get(a.groupId) ?? []) ids.add(m);
  return ids;
}

/** Whether the app sets this user's password at the target at all (not whose password). */
function passwordFlows(app: SnapshotApp, u: SnapshotUser): boolean {
  return app.status === 'ACTIVE' && app.passwordMode !== 'off' && u.credentialProvider !== 'FEDERATION' && u.status !== 'DEPROVISIONED';
}

/**
 * The account an app keeps for a user: a user of an org in this export (a hub
 * app whose target org is here), else a target-account node of its own.
 */
function targetAccount(sink: GraphSink, o: OrgSnapshot, app: SnapshotApp, targetId: string, targetName: string | null, users: UserIndex): { id: string; user: SnapshotUser | null } {
  if (app.kind === 'hub') {
    const local = users.get(targetId);
    if (local) return { id: targetId, user: local.user };
  }
  // A hub org elsewhere keeps its own user id, so two hubs' exports meet on this node.
  const id = app.kind === 'hub' ? targetId : graphIds.scimAccount(app.id, targetId);
  sink.node(id, 'IdSync_TargetAccount', {
    name: targetName ?? targetId,
    login: targetName,
    system: app.kind === 'hub' ? 'idsync' : 'scim',
    app_id: app.id,
    target_id: targetId,
    target: app.baseUrl,
    org_id: o.id,
  });
  return { id, user: null };
}

/**
 * AppAssignment (user or group -> app), UserPush (user -> app), UserSync and
 * PasswordSync (user -> the account the app keeps), ReadPasswordUpdates (app ->
 * user whose own password it receives).
 *
 * PasswordSync needs the app ACTIVE, password sync not off, the user assigned,
 * not DEPROVISIONED and without FEDERATION credentials, an account at the target,
 * and (when that account is a user here) one whose credentials are not
 * FEDERATION either (the target refuses a password for it). `password_mode`
 * says whether the user's own password travels (`hub`) or a generated one
 * (`random`); only `hub` apps read the user's password.
 */
export function addAppEdges(sink: GraphSink, o: OrgSnapshot, users: UserIndex): void {
  const byId = new Map(o.users.map((u) => [u.id, u]));
  for (const app of o.apps) {
    for (const u of app.directUserIds) sink.edge('IdSync_AppAssignment', u, app.id);
    for (const g of app.groupAssignments) sink.edge('IdSync_AppAssignment', g.groupId, app.id, { group_push: g.push });
    if (app.status !== 'ACTIVE') continue;
    const assigned = assignedUserIds(o, app);
    const links = new Map(app.userLinks.map((l) => [l.localId, l]));
    const via = { app_id: app.id, app_name: app.name };
    for (const id of assigned) {
      const u = byId.get(id);
      if (!u) continue;
      if (app.pushes) sink.edge('IdSync_UserPush', u.id, app.id);
      const flows = passwordFlows(app, u);
      if (flows && app.passwordMode === 'hub') sink.edge('IdSync_ReadPasswordUpdates', app.id, u.id, { ...via, password_mode: 'hub' });
      const link = links.get(id);
      if (!link || link.targetId === null || link.state !== 'ACTIVE') continue;
      const target = targetAccount(sink, o, app, link.targetId, link.targetName, users);
      sink.edge('IdSync_UserSync', u.id, target.id, via);
      if (flows && target.user?.credentialProvider !== 'FEDERATION') sink.edge('IdSync_PasswordSync', u.id, target.id, { ...via, password_mode: app.passwordMode });
    }
  }
}

/**
 * Accounts another collector already has: an AD user (by objectSid) whose
 * directory masters this hub user's password and profile; an Okta user (by
 * Okta id) that provisions this user, and its password when the hub holds one.
 */
export function addMirrorEdges(sink: GraphSink, o: OrgSnapshot): void {
  for (const u of o.users) {
    const sid = adObjectSid(u);
    if (sid !== null) {
      const ad = { value: sid, match_by: 'id' as const, kind: FOREIGN_KINDS.adUser };
      sink.edge('IdSync_PasswordSync', ad, u.id, { source: 'active_directory', password_mode: 'hub' });
      sink.edge('IdSync_UserSync', ad, u.id, { source: 'active_directory' });
    }
    const okta = oktaUserId(u);
    if (okta !== null) {
      const start = { value: okta, match_by: 'id' as const, kind: FOREIGN_KINDS.oktaUser };
      sink.edge('IdSync_UserSync', start, u.id, { source: 'okta' });
      if (u.hasPassword && (u.credentialProvider === 'HUB' || u.credentialProvider === 'IMPORT')) sink.edge('IdSync_PasswordSync', start, u.id, { source: 'okta', password_mode: 'hub' });
    }
  }
}

/**
 * Identity providers. IdentityProviderFor: an ACTIVE idp signs in the users
 * linked to it, and, when it trusts a source hub app, every account of its org
 * that the app's org created (their `idsyncSourceId`), linked or not: the
 * trusted source vouches for them. OutboundOrgSSO: the trusted hub app -> the
 * idp. OutboundSSO: source user -> the account they sign in as, when the source
 * user is assigned to that active app (both orgs in this export).
 */
export function addIdpEdges(sink: GraphSink, snapshot: GraphSnapshot, users: UserIndex): void {
  const apps = new Map(snapshot.orgs.flatMap((o) => o.apps.map((a) => [a.id, { app: a, org: o }] as const)));
  for (const o of snapshot.orgs) {
    for (const idp of o.idps) {
      if (idp.status !== 'ACTIVE') continue;
      for (const u of idp.linkedUserIds) sink.edge('IdSync_IdentityProviderFor', idp.id, u, { linked: true });
      const trust = trustedHubApp(idp);
      if (trust === null) continue;
      const source = apps.get(trust.appId);
      // A known app must be a hub app of the org the issuer names; an unknown one lives in another export.
      if (source && (source.org.id !== trust.sourceOrgId || source.app.kind !== 'hub')) continue;
      sink.edge('IdSync_OutboundOrgSSO', trust.appId, idp.id);
      const assigned = source && source.app.status === 'ACTIVE' ? assignedUserIds(source.org, source.app) : new Set<string>();
      for (const u of o.users) {
        const from = sourceOfAccount(u);
        if (from === null || from.orgId !== trust.sourceOrgId) continue;
        sink.edge('IdSync_IdentityProviderFor', idp.id, u.id, { linked: idp.linkedUserIds.includes(u.id) });
        if (assigned.has(from.userId) && users.has(from.userId)) sink.edge('IdSync_OutboundSSO', from.userId, u.id, { app_id: trust.appId, idp_id: idp.id });
      }
    }
  }
}
