/**
 * Group push for one (SCIM app, group): the target group carries the hub
 * group's name and, as members, the target accounts of the hub members that
 * the app has already created. A member whose account is created later pushes
 * the group again (a follow-up job).
 */
import type { JsonObject } from '../../core/json.js';
import { desiredHash } from '../../core/provisioning/scim-merge.js';
import { eqFilter, type ScimClient, type ScimResource } from '../../connectors/scim/client.js';
import { GROUP_SCHEMA } from '../../core/scim/schema.js';
import type { JobEnv, Outcome } from './outcome.js';
import { NO_CHANGE, startGroupPush } from './outcome.js';

export async function runScimGroupJob(env: JobEnv, client: ScimClient): Promise<Outcome> {
  const { app, scope } = env;
  const now = env.now.toISOString();
  const start = await startGroupPush(env, (id) => client.deleteGroup(id));
  if (start.kind === 'done') return start.outcome;
  const { group, link } = start;

  const memberIds = (await scope.groups.members(group.id)).map((m) => m.userId);
  const links = new Map((await scope.apps.links(app.id, 'user')).map((l) => [l.localId, l]));
  const members = memberIds
    .map((id) => links.get(id))
    .filter((l): l is NonNullable<typeof l> => l !== undefined && l.targetId !== null && l.state === 'ACTIVE')
    .map((l) => ({ value: l.targetId as string }));
  const desired: JsonObject = { schemas: [GROUP_SCHEMA], displayName: group.name, externalId: group.id, members };
  const hash = desiredHash(desired);

  let existing: ScimResource | null = null;
  if (link?.targetId) existing = await client.getGroup(link.targetId);
  if (!existing) existing = (await client.findGroups(eqFilter('externalId', group.id)))[0] ?? null;
  if (!existing) existing = (await client.findGroups(eqFilter('displayName', group.name)))[0] ?? null;

  const events: Outcome['events'] = [];
  let targetId: string;
  if (!existing) {
    targetId = (await client.createGroup(desired)).id;
    events.push(['application.provision.group.push', { op: 'create', targetId, members: members.length }]);
  } else {
    targetId = existing.id;
    if (link?.pushedHash !== hash || link.targetId !== targetId) {
      await client.replaceGroup(targetId, { ...desired, id: targetId });
      events.push(['application.provision.group.push', { op: 'update', targetId, members: members.length }]);
    }
  }
  return {
    ...NO_CHANGE,
    events,
    resolves: ['*'],
    link: {
      appId: app.id,
      targetType: 'group',
      localId: group.id,
      orgId: group.orgId,
      targetId,
      targetName: group.name,
      state: 'ACTIVE',
      pushedHash: hash,
      passwordState: 'none',
      passwordPushed: null,
      updated: now,
    },
  };
}
