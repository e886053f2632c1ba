/**
 * Reads the snapshot the graph builder needs from the store, one org at a time,
 * in one read transaction per org (a consistent picture of each org). Picks
 * fields one by one: no hash, sealed secret or token prefix is ever copied.
 */
import { DEFAULT_PASSWORD_POLICY_SETTINGS } from '../../core/password-policy.js';
import { MANAGE_SCOPES } from '../../core/graph/builder-rules.js';
import { GRAPH_PROFILE_ATTRIBUTES, type OrgSnapshot, type SnapshotIdp, type SnapshotUser } from '../../core/graph/snapshot.js';
import type { Org, ProfileValue, User } from '../../core/types.js';
import type { Scope } from '../../store/store.js';
import type { ServiceContext } from '../context.js';

const IDP_PAGE = 500;

function snapshotUser(u: User): SnapshotUser {
  const attributes: Record<string, ProfileValue | undefined> = {};
  for (const a of GRAPH_PROFILE_ATTRIBUTES) if (u.profile[a] !== undefined) attributes[a] = u.profile[a];
  const email = u.profile.email;
  return {
    id: u.id,
    login: u.profile.login,
    email: typeof email === 'string' ? email : null,
    status: u.status,
    credentialProvider: u.credentialProvider,
    hasPassword: u.passwordHash !== null,
    externalId: u.externalId,
    attributes,
  };
}

async function idpsOf(tx: Scope, orgId: string): Promise<SnapshotIdp[]> {
  const scope = tx.org(orgId);
  const out: SnapshotIdp[] = [];
  let after: { created: string; id: string } | null = null;
  for (;;) {
    const page = await scope.idps.page(after, IDP_PAGE);
    for (const i of page) {
      const linked: string[] = [];
      let afterUser: string | null = null;
      for (;;) {
        const links = await scope.idps.links(i.id, afterUser, IDP_PAGE);
        linked.push(...links.map((l) => l.userId));
        if (links.length < IDP_PAGE) break;
        afterUser = links[links.length - 1]?.userId ?? null;
      }
      out.push({ id: i.id, name: i.name, type: i.type, status: i.status, protocol: i.protocol, linkedUserIds: linked });
    }
    if (page.length < IDP_PAGE) return out;
    const last = page[page.length - 1];
    after = last ? { created: last.created, id: last.id } : null;
  }
}

export async function readOrgSnapshot(ctx: ServiceContext, org: Org): Promise<OrgSnapshot> {
  return ctx.store.transaction(async (tx) => {
    const scope = tx.org(org.id);
    const users = (await scope.users.scan(null)).map(snapshotUser);
    const groupRows = await scope.groups.scan(null);
    const members = await scope.groups.membersOf(groupRows.map((g) => g.id));
    const groups = groupRows.map((g) => ({ id: g.id, name: g.name, memberIds: (members.get(g.id) ?? []).map((m) => m.userId) }));
    const apps = [];
    for (const a of await scope.apps.list()) {
      const links = await scope.apps.links(a.id, 'user');
      apps.push({
        id: a.id,
        name: a.name,
        kind: a.kind,
        status: a.status,
        passwordMode: a.settings.provisioning.password,
        pushes: a.settings.provisioning.create || a.settings.provisioning.update,
        baseUrl: a.connection.baseUrl,
        directUserIds: await scope.apps.directUserIds(a.id),
        groupAssignments: await scope.apps.groupAssignments(a.id),
        userLinks: links.map((l) => ({ localId: l.localId, targetId: l.targetId, targetName: l.targetName, state: l.state })),
      });
    }
    const policy = (await scope.policies.list()).find((p) => p.groupIds.length === 0)?.settings ?? DEFAULT_PASSWORD_POLICY_SETTINGS;
    const tokens = (await tx.tokens.list(org.id)).filter((t) => t.revoked === null).map((t) => ({ id: t.id, name: t.name }));
    const clients = (await scope.oauthClients.list())
      .filter((c) => c.status === 'ACTIVE' && c.scopes.some((s) => MANAGE_SCOPES.includes(s)))
      .map((c) => ({ id: c.id, name: c.name, scopes: [...c.scopes] }));
    return { id: org.id, name: org.name, policy, users, groups, apps, idps: await idpsOf(tx, org.id), roles: await scope.roles.list(), tokens, clients };
  });
}
