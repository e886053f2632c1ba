/**
 * `GET /api/v1/apps` is one collection in the API: the hub's provisioning apps
 * (`app_...`) and its OAuth service apps (`oac_...`) side by side, oldest first,
 * `q` a case-insensitive prefix of the label, `after` the last id of the previous
 * page. Both lists are small (apps of one org), so they are merged in memory.
 */
import { invalid } from '../../core/errors.js';
import type { Org } from '../../core/types.js';
import type { OAuthClient } from '../../store/oauth.js';
import type { ServiceContext } from '../context.js';
import type { AppView } from '../provisioning/apps.js';
import { OktaApps } from './apps.js';
import { OktaServiceApps } from './service-apps.js';

export type AppEntry = { kind: 'provisioning'; app: AppView } | { kind: 'service'; client: OAuthClient };

const idOf = (e: AppEntry): string => (e.kind === 'provisioning' ? e.app.id : e.client.id);
const createdOf = (e: AppEntry): string => (e.kind === 'provisioning' ? e.app.created : e.client.created);
const labelOf = (e: AppEntry): string => (e.kind === 'provisioning' ? e.app.name : e.client.name);

export async function listApplications(ctx: ServiceContext, org: Org, q: string | null, after: string | null, limit: number): Promise<{ items: AppEntry[]; next: string | null }> {
  const provisioning = (await new OktaApps(ctx, org).admin.apps.list()).map((app): AppEntry => ({ kind: 'provisioning', app }));
  const service = (await new OktaServiceApps(ctx, org).list()).map((client): AppEntry => ({ kind: 'service', client }));
  let all = [...provisioning, ...service].sort((a, b) => createdOf(a).localeCompare(createdOf(b)) || idOf(a).localeCompare(idOf(b)));
  const prefix = q?.trim().toLowerCase() ?? '';
  if (prefix !== '') all = all.filter((e) => labelOf(e).toLowerCase().startsWith(prefix));
  let start = 0;
  if (after !== null && after !== '') {
    start = all.findIndex((e) => idOf(e) === after) + 1;
    if (start === 0) throw invalid('OKTA_INVALID_CURSOR', 'The after parameter is not a cursor this API issued. Start from the first page, then follow the Link header with rel="next".');
  }
  const items = all.slice(start, start + limit);
  const last = items[items.length - 1];
  return { items, next: all.length > start + limit && last ? idOf(last) : null };
}
