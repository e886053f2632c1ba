/**
 * Group push for one (hub app, group), org-to-org: the target group carries the
 * source group's name and description; its members are made to include the
 * target accounts of the source members this app manages. Members this app does
 * not manage (added at the target, or pushed by another source org) are left
 * alone, so several source orgs can push into one group without undoing each other.
 */
import type { JsonObject } from '../../core/json.js';
import { desiredHash } from '../../core/provisioning/scim-merge.js';
import type { HubClient, HubResource } from '../../connectors/hub/client.js';
import type { JobEnv, Outcome } from './outcome.js';
import { NO_CHANGE, startGroupPush } from './outcome.js';

export async function runHubGroupJob(env: JobEnv, client: HubClient): Promise<Outcome> {
  const { app, scope } = env;
  const now = env.now.toISOString();
  const start = await startGroupPush(env, (id) => client.deleteGroup(id));
  if (start.kind === 'done') return start.outcome;
  const { group, link } = start;

  const userLinks = await scope.apps.links(app.id, 'user');
  const managed = new Set(userLinks.filter((l) => l.targetId !== null).map((l) => l.targetId as string));
  const byLocal = new Map(userLinks.map((l) => [l.localId, l]));
  const desiredMembers = new Set(
    (await scope.groups.members(group.id))
      .map((m) => byLocal.get(m.userId))
      .filter((l) => l !== undefined && l.targetId !== null && l.state === 'ACTIVE')
      .map((l) => l?.targetId as string),
  );
  const profile: JsonObject = { name: group.name, description: group.description ?? null };
  const hash = desiredHash({ profile, members: [...desiredMembers].sort() });

  let existing: HubResource | null = link?.targetId ? await client.getGroup(link.targetId) : null;
  existing ??= await client.findGroupByName(group.name);
  const events: Outcome['events'] = [];
  let targetId: string;
  if (!existing) {
    targetId = (await client.createGroup(profile)).id;
    events.push(['application.provision.group.push', { op: 'create', targetId }]);
  } else {
    targetId = existing.id;
    const current = existing['profile'] as JsonObject | undefined;
    if (current?.['name'] !== profile['name'] || (current?.['description'] ?? null) !== profile['description']) {
      await client.replaceGroup(targetId, profile);
      events.push(['application.provision.group.push', { op: 'update', targetId }]);
    }
  }
  if (link?.pushedHash !== hash || link.targetId !== targetId) {
    const there = new Set(await client.groupMemberIds(targetId));
    let added = 0;
    let removed = 0;
    for (const id of desiredMembers) if (!there.has(id)) (await client.addMember(targetId, id), added++);
    for (const id of there) if (managed.has(id) && !desiredMembers.has(id)) (await client.removeMember(targetId, id), removed++);
    if (added + removed > 0) events.push(['application.provision.group.membership', { targetId, added, removed }]);
  }
  return {
    ...NO_CHANGE,
    events,
    resolves: ['*'],
    link: { appId: app.id, targetType: 'group', localId: group.id, orgId: group.orgId, targetId, targetName: group.name, state: 'ACTIVE', pushedHash: hash, passwordState: 'none', passwordPushed: null, updated: now },
  };
}
