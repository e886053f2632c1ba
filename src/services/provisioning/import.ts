/**
 * Import: reads every account at an app's target and links each to the hub user
 * the app's matching rule names, so that provisioning manages the account from
 * then on instead of creating a second one. It assigns no one; it reports what
 * it could not link (no match, more than one match, an existing link to another
 * account) and stops before applying anything when the run would change more
 * links than the app's import safeguard allows.
 *
 * Matching rules (app setting `matching`):
 * - `login`: the target's userName equals the hub login, case-insensitively.
 * - `email`: the target's email (the primary one, else the work one, else the
 *   only one) equals the hub email, case-insensitively.
 * - `emailPrefix`: the target's userName equals the part of the hub email before
 *   the @, case-insensitively (targets whose usernames are not emails).
 *
 * Hub apps (org-to-org) read the target org's users over /api/v1/users, page by
 * page, and compare `profile.login` and `profile.email`. An account whose
 * `idsyncSourceId` names another source org is managed by that org (hub-and-spoke)
 * and is never linked.
 *
 * Safeguard: changes = links that would be created + links that would move to
 * another account; base = max(1, number of distinct hub users the app has a
 * user link for or has assigned, directly or through a group). The run is
 * blocked when changes × 100 > base × importSafeguardPercent, i.e. when more
 * than that percent of the app's users would change. `force` applies anyway.
 */
import { conflict } from '../../core/errors.js';
import { isJsonObject, type JsonValue } from '../../core/json.js';
import type { AppLink, MatchingRule } from '../../core/provisioning/types.js';
import type { Org, User } from '../../core/types.js';
import type { ScimResource } from '../../connectors/scim/client.js';
import type { AppRecord } from '../../store/apps.js';
import type { OrgScope } from '../../store/store.js';
import { normalizeKey } from '../../store/filter-sql.js';
import { nowIso, type Actor, type ServiceContext } from '../context.js';
import { AppService } from './apps.js';
import { openHubClient, openScimClient } from './worker.js';
import { SOURCE_ID_ATTRIBUTE } from '../../core/provisioning/hub-mapping.js';

export interface ImportOptions {
  /** Report only; nothing is written. */
  dryRun: boolean;
  /** Apply even when the safeguard would stop the run. */
  force?: boolean;
  /** Who ran it, for the event; default `system`. */
  actor?: Actor;
  /** Per request to the target, in ms; default the HTTP client's. */
  timeoutMs?: number;
}

/** A target account as the report shows it. */
export interface TargetAccount {
  targetId: string;
  userName: string | null;
  email: string | null;
}

export interface HubUserRef {
  userId: string;
  login: string;
}

export interface ImportLinkChange extends TargetAccount, HubUserRef {
  /** For a changed link: the account the user was linked to (gone from the target). */
  previousTargetId: string | null;
}

export interface ImportAmbiguity extends TargetAccount {
  reason: string;
  candidates: HubUserRef[];
}

export interface ImportConflict extends TargetAccount, HubUserRef {
  /** The account the hub user is linked to now, or (for an account linked to another user) this account. */
  linkedTargetId: string;
  reason: string;
}

export interface ImportReport {
  app: { id: string; name: string };
  matching: MatchingRule;
  dryRun: boolean;
  forced: boolean;
  /** True when the links were written (with the `application.import.completed` event). */
  applied: boolean;
  /** Why nothing was applied and how to proceed; null unless the safeguard stopped the run. */
  blocked: { reason: string; fix: string } | null;
  safeguard: { percent: number; base: number; changes: number; exceeded: boolean };
  counts: {
    targetAccounts: number;
    /** New links. */
    linked: number;
    /** Links moved to another account (the old one is gone from the target). */
    relinked: number;
    /** Accounts already linked as the rule says. */
    unchanged: number;
    unmatched: number;
    ambiguous: number;
    conflicts: number;
  };
  linked: ImportLinkChange[];
  relinked: ImportLinkChange[];
  unmatched: TargetAccount[];
  ambiguous: ImportAmbiguity[];
  conflicts: ImportConflict[];
  /** One line for humans. */
  summary: string;
}

interface Candidate {
  account: TargetAccount;
  active: boolean;
  /** Hub apps: the source org named by the account's idsyncSourceId, when it has one. */
  ownerOrg?: string;
}

const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** The account's email: the primary one, else the work one, else the only one. */
function emailOf(r: ScimResource): string | null {
  const emails = Array.isArray(r['emails']) ? r['emails'].filter(isJsonObject) : [];
  const pick = emails.find((e) => e['primary'] === true) ?? emails.find((e) => typeof e['type'] === 'string' && e['type'].toLowerCase() === 'work') ?? (emails.length === 1 ? emails[0] : undefined);
  return pick ? str(pick['value']) : null;
}

/** Hub users by the keys the matching rules compare, built from one pass over the org. */
class HubIndex {
  private readonly byKey = new Map<string, User[]>();

  constructor(users: readonly User[], rule: MatchingRule) {
    for (const u of users) {
      const email = typeof u.profile.email === 'string' && u.profile.email !== '' ? u.profile.email : null;
      let key: string | null;
      if (rule === 'login') key = u.profile.login;
      else if (email === null) key = null;
      else key = rule === 'email' ? email : (email.split('@')[0] ?? '');
      if (key === null || key === '') continue;
      const k = normalizeKey(key);
      const list = this.byKey.get(k);
      if (list) list.push(u);
      else this.byKey.set(k, [u]);
    }
  }

  match(value: string | null): User[] {
    return value === null ? [] : (this.byKey.get(normalizeKey(value)) ?? []);
  }
}

const ref = (u: User): HubUserRef => ({ userId: u.id, login: u.profile.login });

interface Plan {
  linked: ImportLinkChange[];
  relinked: ImportLinkChange[];
  unchanged: number;
  unmatched: TargetAccount[];
  ambiguous: ImportAmbiguity[];
  conflicts: ImportConflict[];
  active: Map<string, boolean>;
  base: number;
}

async function planImport(scope: OrgScope, app: AppRecord, accounts: readonly Candidate[], orgId: string): Promise<Plan> {
  const rule = app.settings.matching;
  const index = new HubIndex(await scope.users.scan(null), rule);
  const links = (await scope.apps.links(app.id, 'user')).filter((l) => l.targetId !== null);
  const byUser = new Map(links.map((l) => [l.localId, l]));
  const byTarget = new Map(links.map((l) => [l.targetId as string, l]));
  const present = new Set(accounts.map((a) => a.account.targetId));
  const logins = new Map<string, string>();
  const plan: Plan = { linked: [], relinked: [], unchanged: 0, unmatched: [], ambiguous: [], conflicts: [], active: new Map(), base: 1 };

  for (const { account, active, ownerOrg } of accounts) {
    plan.active.set(account.targetId, active);
    const matches = index.match(rule === 'email' ? account.email : account.userName);
    for (const u of matches) logins.set(u.id, u.profile.login);
    if (ownerOrg !== undefined && ownerOrg !== orgId) {
      // Hub-and-spoke: another source org pushes this account; taking it over would make two sources fight.
      const u = matches[0];
      if (u === undefined) plan.unmatched.push(account);
      else plan.conflicts.push({ ...account, ...ref(u), linkedTargetId: account.targetId, reason: `The account is managed by another source org (${ownerOrg}, its ${SOURCE_ID_ATTRIBUTE}); it is left to that org. Use another login for ${u.profile.login}, or stop the other org's app from managing it.` });
      continue;
    }
    const holder = byTarget.get(account.targetId);
    if (holder) {
      if (matches.length === 0 || matches.some((u) => u.id === holder.localId)) {
        plan.unchanged++;
      } else {
        const other = matches[0] as User;
        plan.conflicts.push({
          ...account,
          ...ref(other),
          linkedTargetId: account.targetId,
          reason: `The account is linked to another hub user (${holder.localId}); the ${rule} rule matches ${other.profile.login}. Unlink one of them, or correct the account at the target.`,
        });
      }
      continue;
    }
    if (matches.length === 0) {
      plan.unmatched.push(account);
      continue;
    }
    if (matches.length > 1) {
      plan.ambiguous.push({ ...account, reason: `${matches.length} hub users match by the ${rule} rule; none was linked. Make the attribute unique in the hub, or link the right user by hand.`, candidates: matches.map(ref) });
      continue;
    }
    const u = matches[0] as User;
    const current = byUser.get(u.id);
    if (!current) {
      plan.linked.push({ ...account, ...ref(u), previousTargetId: null });
    } else if (present.has(current.targetId as string)) {
      plan.conflicts.push({
        ...account,
        ...ref(u),
        linkedTargetId: current.targetId as string,
        reason: `${u.profile.login} is already linked to another account at the target (${current.targetId}), which still exists. Remove the duplicate account at the target, or unlink the user first.`,
      });
    } else {
      plan.relinked.push({ ...account, ...ref(u), previousTargetId: current.targetId });
    }
  }

  // Two target accounts for one hub user: link neither.
  const perUser = new Map<string, ImportLinkChange[]>();
  for (const c of [...plan.linked, ...plan.relinked]) perUser.set(c.userId, [...(perUser.get(c.userId) ?? []), c]);
  const doubled = new Set([...perUser].filter(([, cs]) => cs.length > 1).map(([id]) => id));
  if (doubled.size > 0) {
    for (const c of [...plan.linked, ...plan.relinked].filter((x) => doubled.has(x.userId))) {
      const n = perUser.get(c.userId)?.length ?? 0;
      plan.ambiguous.push({ targetId: c.targetId, userName: c.userName, email: c.email, reason: `${n} target accounts match ${c.login} by the ${rule} rule; none was linked. Remove the duplicate at the target.`, candidates: [{ userId: c.userId, login: c.login }] });
    }
    plan.linked = plan.linked.filter((x) => !doubled.has(x.userId));
    plan.relinked = plan.relinked.filter((x) => !doubled.has(x.userId));
  }

  const managed = new Set([...links.map((l) => l.localId), ...(await scope.apps.assignedUserIds(app.id))]);
  plan.base = Math.max(1, managed.size);
  return plan;
}

function safeguardBlock(app: AppRecord, changes: number, base: number): { reason: string; fix: string } {
  const percent = app.settings.importSafeguardPercent;
  const needed = Math.ceil((changes * 100) / base);
  const raise = needed <= 100 ? `raise the app's importSafeguardPercent from ${percent} to at least ${needed}` : 'no percent setting allows this many (the app has fewer users than the links to create)';
  return {
    reason: `Import safeguard: ${changes} link(s) would be created or changed, more than ${percent}% of the ${base} user(s) ${app.name} manages now (linked or assigned). Nothing was applied.`,
    fix: `Check the lists in this report. If the matches are right, run the import again with force, or ${raise}. If they are wrong, change the app's matching rule (now ${app.settings.matching}) and run a dry run first.`,
  };
}

function summaryOf(r: Omit<ImportReport, 'summary'>): string {
  const c = r.counts;
  const what = `${c.targetAccounts} account(s) at the target: ${c.linked} to link, ${c.relinked} to relink, ${c.unchanged} already linked, ${c.unmatched} unmatched, ${c.ambiguous} ambiguous, ${c.conflicts} in conflict`;
  if (r.applied) return `Imported ${r.app.name}: ${what.replace('to link', 'linked').replace('to relink', 'relinked')}.`;
  if (r.dryRun) return `Dry run of the import of ${r.app.name}: ${what}; nothing was applied${r.blocked ? ' (the safeguard would stop this run)' : ''}.`;
  return `Import of ${r.app.name} stopped by the safeguard: ${what}.`;
}

/** Every account at the app's target: SCIM Users, or (hub apps) the target org's users over /api/v1. */
async function readAccounts(ctx: ServiceContext, app: AppRecord, opts: { timeoutMs?: number }): Promise<Candidate[]> {
  const accounts: Candidate[] = [];
  if (app.kind === 'hub') {
    for await (const u of openHubClient(ctx, app, opts).allUsers()) {
      const profile = isJsonObject(u['profile']) ? u['profile'] : {};
      const owner = str(profile[SOURCE_ID_ATTRIBUTE])?.split(':')[0];
      accounts.push({ account: { targetId: u.id, userName: str(profile['login']), email: str(profile['email']) }, active: u['status'] !== 'DEPROVISIONED', ...(owner ? { ownerOrg: owner } : {}) });
    }
    return accounts;
  }
  for await (const r of openScimClient(ctx, app, opts).listUsers()) {
    accounts.push({ account: { targetId: r.id, userName: str(r['userName']), email: emailOf(r) }, active: r['active'] !== false });
  }
  return accounts;
}

/** Reads the target's accounts, matches and (unless dry run or stopped by the safeguard) links them. */
export async function importApp(ctx: ServiceContext, org: Org, appRef: string, opts: ImportOptions): Promise<ImportReport> {
  const app = await new AppService(ctx, org).require(appRef);
  // The whole listing first: a target failing half-way leaves the hub untouched.
  const accounts = await readAccounts(ctx, app, opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs });
  const scope = ctx.store.org(org.id);
  const plan = await ctx.store.read(() => planImport(scope, app, accounts, org.id));
  const percent = app.settings.importSafeguardPercent;
  const changes = plan.linked.length + plan.relinked.length;
  const exceeded = changes * 100 > plan.base * percent;
  const blocked = exceeded && !opts.force ? safeguardBlock(app, changes, plan.base) : null;
  const apply = !opts.dryRun && blocked === null;
  const report: Omit<ImportReport, 'summary'> = {
    app: { id: app.id, name: app.name },
    matching: app.settings.matching,
    dryRun: opts.dryRun,
    forced: opts.force === true,
    applied: apply,
    blocked,
    safeguard: { percent, base: plan.base, changes, exceeded },
    counts: {
      targetAccounts: accounts.length,
      linked: plan.linked.length,
      relinked: plan.relinked.length,
      unchanged: plan.unchanged,
      unmatched: plan.unmatched.length,
      ambiguous: plan.ambiguous.length,
      conflicts: plan.conflicts.length,
    },
    linked: plan.linked,
    relinked: plan.relinked,
    unmatched: plan.unmatched,
    ambiguous: plan.ambiguous,
    conflicts: plan.conflicts,
  };
  if (apply) {
    const now = nowIso(ctx);
    await ctx.store.transaction(async (tx) => {
      const s = tx.org(org.id);
      // The plan was made outside this transaction (the write lock is not held while
      // the hub is scanned): refuse to write over links that changed since.
      const current = await s.apps.links(app.id, 'user');
      const userOf = new Map(current.filter((l) => l.targetId !== null).map((l) => [l.targetId as string, l.localId]));
      const targetOf = new Map(current.map((l) => [l.localId, l.targetId]));
      for (const c of [...plan.linked, ...plan.relinked]) {
        const holder = userOf.get(c.targetId);
        if ((targetOf.get(c.userId) ?? null) !== c.previousTargetId || (holder !== undefined && holder !== c.userId)) {
          throw conflict('IMPORT_CHANGED', `The link of ${c.login} to ${app.name} changed while the import ran; nothing was applied. Run the import again.`);
        }
        const link: AppLink = {
          appId: app.id,
          targetType: 'user',
          localId: c.userId,
          orgId: org.id,
          targetId: c.targetId,
          targetName: c.userName,
          state: plan.active.get(c.targetId) === false ? 'DEACTIVATED' : 'ACTIVE',
          // Never pushed: the next sync of an assigned user sends the hub's values.
          pushedHash: null,
          passwordState: 'none',
          passwordPushed: null,
          updated: now,
        };
        await s.apps.saveLink(link);
      }
      await s.events.append({
        id: ctx.ids.id('evt'),
        type: 'application.import.completed',
        actor: opts.actor ?? 'system',
        targetType: 'org',
        targetId: app.id,
        data: { appId: app.id, matching: app.settings.matching, forced: opts.force === true, ...report.counts },
        created: now,
      });
    });
  }
  return { ...report, summary: summaryOf(report) };
}
