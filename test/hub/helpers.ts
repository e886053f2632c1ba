/**
 * Org-to-org fixtures: real hubs on loopback, a source org whose worker pushes
 * through a `hub` app, and a target org reached over /api/v1 with an API token
 * or an OAuth service app registered with the source app's JWKS URL.
 */
import type { Clock, Org } from '../../src/core/types.js';
import { createLogger } from '../../src/logging.js';
import { OAuthClientService } from '../../src/services/oauth/clients.js';
import { AppService, type AppView } from '../../src/services/provisioning/apps.js';
import { ProvisioningWorker } from '../../src/services/provisioning/worker.js';
import { UserService } from '../../src/services/users.js';
import { GroupService } from '../../src/services/groups.js';
import { startHub, type Hub } from '../helpers/hub.js';
import { appJwksPath } from '../../src/http/oauth/app-jwks.js';

/** Real time plus an offset the test can move forward (e.g. past the target's JWKS refetch cooldown). */
export function movableClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  let last = 0;
  return {
    now: () => new Date((last = Math.max(Date.now() + offset, last + 1))),
    advance(ms: number) {
      offset += ms;
    },
  };
}

export interface Source {
  hub: Hub;
  org: Org;
  apps: AppService;
  users: UserService;
  groups: GroupService;
  worker: ProvisioningWorker;
  stop(): Promise<void>;
}

export async function startSource(orgName: string, clock?: Clock): Promise<Source> {
  const hub = await startHub({ orgs: [orgName], ...(clock ? { clock } : {}) });
  const org = hub.orgs[0]!.org;
  const worker = new ProvisioningWorker(hub.app.ctx, { logger: createLogger({ level: 'silent' }), random: () => 0.5 });
  await worker.start();
  return {
    hub,
    org,
    apps: new AppService(hub.app.ctx, org),
    users: new UserService(hub.app.ctx, org),
    groups: new GroupService(hub.app.ctx, org),
    worker,
    async stop() {
      await worker.stop();
      await hub.close();
    },
  };
}

/** A hub app with OAuth: created inactive, registered at the target with its JWKS URL, then activated. */
export async function oauthHubApp(src: Source, target: Hub, name: string, settings: Record<string, unknown> = {}): Promise<{ app: AppView; clientId: string; jwksUri: string }> {
  const draft = await src.apps.create({ name, kind: 'hub', status: 'INACTIVE', baseUrl: target.url, auth: { type: 'oauth2', clientId: 'not-yet' }, settings }, 'test');
  const jwksUri = `${src.hub.url}${appJwksPath(src.org.id, draft.id)}`;
  const client = await new OAuthClientService(target.app.ctx, target.orgs[0]!.org).create({
    name: `${name} from ${src.org.name}`,
    scopes: ['okta.users.manage', 'okta.groups.manage', 'okta.policies.read'],
    jwksUri,
    dpopBound: true,
  });
  const app = await src.apps.update(name, { status: 'ACTIVE', auth: { type: 'oauth2', clientId: client.id } }, 'test');
  return { app, clientId: client.id, jwksUri };
}

export async function openTasks(src: Source, appId: string) {
  return src.hub.app.ctx.store.org(src.org.id).jobs.tasks({ state: 'open', appId, limit: 50 });
}
