/**
 * Security findings from the graph, each with who and what is involved, why it
 * matters in plain words, and the fix:
 *
 * - an account that reaches an admin through at least one PasswordSync edge
 *   (whoever sets its password becomes that admin);
 * - passwords synced from an org whose policy is weaker into another org (each
 *   weaker requirement named);
 * - apps that receive passwords (ReadPasswordUpdates), graver when the app
 *   itself sits on a path to an admin.
 *
 * A PasswordSync edge with `password_mode: random` pushes a generated password,
 * so the source's password never reaches the target: it is no takeover path and
 * no weaker-policy sync, although BloodHound (which reads kinds only) walks it.
 */
import { ADMIN_ROLE_TYPES } from './kinds.js';
import { chainText, isPrincipal, nodeRef, type AttackPath, type NodeRef } from './paths.js';
import { orgRequirements, weakerRequirements } from './policy-compare.js';
import { compareText, propBoolean, propString, propStrings, type GraphView, type ViewEdge, type ViewNode } from './view.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

export type FindingType = 'password_sync_to_admin' | 'weaker_policy_sync' | 'app_receives_passwords';

export interface Finding {
  /** Stable across runs on the same graph: type and the main node's id. */
  id: string;
  type: FindingType;
  severity: Severity;
  title: string;
  accounts: NodeRef[];
  apps: NodeRef[];
  explanation: string;
  fix: string;
  /** Example chains (one per admin reached) for password_sync_to_admin. */
  paths: AttackPath[];
  /** The weaker requirements, for weaker_policy_sync. */
  weaker: string[];
}

const PASSWORD_SYNC = 'IdSync_PasswordSync';
const READ_PASSWORD_UPDATES = 'IdSync_ReadPasswordUpdates';
/** Roles that control the whole org: reaching them is reaching everything in it. */
const ORG_WIDE_ROLES: readonly string[] = ['SUPER_ADMIN', 'ORG_ADMIN'];
const ADMIN_EDGE_KINDS: readonly string[] = [
  'IdSync_SuperAdmin',
  'IdSync_OrgAdmin',
  'IdSync_UserAdmin',
  'IdSync_HelpDeskAdmin',
  'IdSync_GroupMembershipAdmin',
  'IdSync_AppAdmin',
  'IdSync_IdpAdmin',
];

/** A PasswordSync edge that carries the source's own password. */
const carriesPassword = (e: ViewEdge): boolean => e.kind === PASSWORD_SYNC && e.properties['password_mode'] !== 'random';

/**
 * Admins: roles with `is_admin`, org API tokens (always full admins), and API
 * clients that hold a management scope (an admin edge, or a `*.manage` scope).
 */
export function isAdminNode(view: GraphView, n: ViewNode): boolean {
  if (n.kinds.includes('IdSync_Role')) {
    return propBoolean(n, 'is_admin') ?? (ADMIN_ROLE_TYPES as readonly string[]).filter((t) => t !== 'READ_ONLY_ADMIN').includes(propString(n, 'role_type') ?? '');
  }
  if (n.kinds.includes('IdSync_ApiToken')) return true;
  if (n.kinds.includes('IdSync_ApiClient')) {
    return propStrings(n, 'scopes').some((s) => s.endsWith('.manage')) || view.out(n.id).some((e) => ADMIN_EDGE_KINDS.includes(e.kind));
  }
  return false;
}

function orgWide(n: ViewNode): boolean {
  if (n.kinds.includes('IdSync_Role')) return ORG_WIDE_ROLES.includes(propString(n, 'role_type') ?? '');
  return n.kinds.includes('IdSync_ApiToken');
}

interface Reach {
  /** Admin node id -> a shortest path to it that crosses a password-carrying PasswordSync edge. */
  admins: Map<string, AttackPath>;
}

/**
 * Breadth-first over (node, crossed a password sync yet?) from one account: the
 * shortest path to each admin that crosses at least one PasswordSync edge.
 */
function reachThroughSync(view: GraphView, start: ViewNode, admins: ReadonlySet<string>, maxDepth: number): Reach {
  type State = { id: string; synced: boolean };
  const key = (s: State): string => `${s.synced ? 1 : 0}|${s.id}`;
  const parent = new Map<string, { prev: State; kind: string } | null>([[key({ id: start.id, synced: false }), null]]);
  let frontier: State[] = [{ id: start.id, synced: false }];
  const found = new Map<string, AttackPath>();
  for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
    const next: State[] = [];
    for (const s of frontier) {
      // Past an admin reached through a sync, every further admin is implied: stop there.
      if (s.synced && admins.has(s.id)) continue;
      // A password-carrying edge first, so the example chain shows the sync where a parallel SSO edge also exists.
      for (const e of [...view.out(s.id)].sort((a, b) => Number(carriesPassword(b)) - Number(carriesPassword(a)))) {
        if (!e.traversable) continue;
        const t: State = { id: e.to, synced: s.synced || carriesPassword(e) };
        if (parent.has(key(t))) continue;
        parent.set(key(t), { prev: s, kind: e.kind });
        next.push(t);
        if (t.synced && admins.has(t.id) && !found.has(t.id)) found.set(t.id, pathBack(view, t, parent, key));
      }
    }
    frontier = next;
  }
  return { admins: found };
}

function pathBack<S extends { id: string }>(view: GraphView, end: S, parent: Map<string, { prev: S; kind: string } | null>, key: (s: S) => string): AttackPath {
  const nodes: NodeRef[] = [];
  const steps: string[][] = [];
  let cur: S | undefined = end;
  while (cur) {
    nodes.unshift(nodeRef(view.node(cur.id) as ViewNode));
    const p: { prev: S; kind: string } | null | undefined = parent.get(key(cur));
    if (!p) break;
    steps.unshift([p.kind]);
    cur = p.prev;
  }
  return { nodes, steps };
}

/** Every node that reaches an admin over traversable edges (admins included). */
function reachesAdmin(view: GraphView, admins: ReadonlySet<string>, maxDepth: number): Set<string> {
  const seen = new Set(admins);
  let frontier = [...admins];
  for (let d = 1; d <= maxDepth && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const e of view.in(id)) {
        if (!e.traversable || seen.has(e.from)) continue;
        seen.add(e.from);
        next.push(e.from);
      }
    }
    frontier = next;
  }
  return seen;
}

const names = (refs: readonly NodeRef[], max = 5): string =>
  refs.length <= max ? refs.map((r) => r.name).join(', ') : `${refs.slice(0, max).map((r) => r.name).join(', ')} and ${refs.length - max} more`;

function appOf(view: GraphView, e: ViewEdge): ViewNode | undefined {
  const id = e.properties['app_id'];
  return typeof id === 'string' ? view.node(id) : undefined;
}

function orgName(view: GraphView, n: ViewNode): string {
  const id = propString(n, 'org_id');
  return (id === undefined ? undefined : view.node(id)?.label) ?? propString(n, 'org_name') ?? id ?? 'its org';
}

function uniqueRefs(nodes: readonly (ViewNode | undefined)[]): NodeRef[] {
  const byId = new Map<string, NodeRef>();
  for (const n of nodes) if (n && !byId.has(n.id)) byId.set(n.id, nodeRef(n));
  return [...byId.values()].sort((a, b) => compareText(a.name, b.name) || compareText(a.id, b.id));
}

function syncToAdminFindings(view: GraphView, admins: ReadonlySet<string>, maxDepth: number): Finding[] {
  const out: Finding[] = [];
  for (const account of view.nodes.filter(isPrincipal)) {
    const reach = reachThroughSync(view, account, admins, maxDepth);
    if (reach.admins.size === 0) continue;
    const adminNodes = [...reach.admins.keys()].map((id) => view.node(id) as ViewNode);
    const paths = [...reach.admins.values()].sort((a, b) => a.steps.length - b.steps.length || compareText(JSON.stringify(a.nodes), JSON.stringify(b.nodes)));
    const syncEdges = paths.flatMap((p) => p.nodes.slice(1).map((n, i) => ({ from: p.nodes[i] as NodeRef, to: n, kinds: p.steps[i] ?? [] }))).filter((s) => s.kinds.includes(PASSWORD_SYNC));
    const apps = uniqueRefs(syncEdges.flatMap((s) => view.out(s.from.id).filter((e) => e.to === s.to.id && carriesPassword(e)).map((e) => appOf(view, e))));
    const synced = uniqueRefs(syncEdges.map((s) => view.node(s.to.id)));
    const adminRefs = uniqueRefs(adminNodes);
    const critical = adminNodes.some(orgWide);
    const appText = apps.length === 0 ? 'the app that syncs it' : apps.map((a) => `"${a.name}"`).join(', ');
    out.push({
      id: `password_sync_to_admin:${account.id}`,
      type: 'password_sync_to_admin',
      severity: critical ? 'critical' : 'high',
      title: `${account.label} (${account.kind}) reaches ${names(adminRefs)} through password sync`,
      accounts: uniqueRefs([account, ...synced.map((r) => view.node(r.id))]),
      apps,
      explanation:
        `The password of ${account.label} is copied to ${names(synced)} by ${appText}, and from there the chain reaches ${names(adminRefs)}. ` +
        `Whoever knows or resets the password of ${account.label} (or controls the system it lives in) signs in as an administrator.`,
      fix:
        `Stop syncing this account's password to an admin account: set ${appText} to --password random or off (\`idsync app update APP --org ORG --password random\`), ` +
        `or unassign ${account.label} from it; or give the admin rights to a separate account whose password is not synced, and remove them from ${names(synced)}.`,
      paths,
      weaker: [],
    });
  }
  return out;
}

function weakerPolicyFindings(view: GraphView, privileged: ReadonlySet<string>): Finding[] {
  // One finding per (source org, target org): the requirements are the orgs', not the users'.
  const pairs = new Map<string, { source: ViewNode; target: ViewNode; edges: ViewEdge[] }>();
  for (const e of view.edges) {
    if (!carriesPassword(e)) continue;
    const from = view.node(e.from);
    const to = view.node(e.to);
    const so = from && view.node(propString(from, 'org_id') ?? '');
    const to2 = to && view.node(propString(to, 'org_id') ?? '');
    if (!so || !to2 || so.id === to2.id || !to?.kinds.includes('IdSync_User')) continue;
    const k = `${so.id}|${to2.id}`;
    const entry = pairs.get(k) ?? { source: so, target: to2, edges: [] };
    entry.edges.push(e);
    pairs.set(k, entry);
  }
  const out: Finding[] = [];
  for (const { source, target, edges } of pairs.values()) {
    const s = orgRequirements(source);
    const t = orgRequirements(target);
    if (s === null || t === null) continue;
    const weaker = weakerRequirements(s, t).map((w) => w.text);
    if (weaker.length === 0) continue;
    const accounts = uniqueRefs(edges.flatMap((e) => [view.node(e.from), view.node(e.to)]));
    const apps = uniqueRefs(edges.map((e) => appOf(view, e)));
    const adminTargets = edges.some((e) => privileged.has(e.to));
    out.push({
      id: `weaker_policy_sync:${source.id}:${target.id}`,
      type: 'weaker_policy_sync',
      severity: adminTargets ? 'high' : 'medium',
      title: `Passwords synced from ${source.label} into ${target.label} under a weaker policy`,
      accounts,
      apps,
      explanation:
        `${edges.length} account${edges.length === 1 ? '' : 's'} in ${target.label} get their password from ${source.label}, whose policy asks less: ${weaker.join('; ')}. ` +
        `A password chosen or guessed under ${source.label}'s rules opens the account in ${target.label}` +
        (adminTargets ? ', and some of those accounts reach an administrator there.' : '.'),
      fix: `Raise ${source.label}'s password policy to at least ${target.label}'s (\`idsync policy set --org ${source.label} ...\`), or stop syncing passwords into ${target.label} (\`idsync app update APP --org ${source.label} --password random\`).`,
      paths: [],
      weaker,
    });
  }
  return out;
}

function passwordReceiverFindings(view: GraphView, privileged: ReadonlySet<string>): Finding[] {
  const out: Finding[] = [];
  for (const app of view.nodes) {
    const reads = view.out(app.id).filter((e) => e.kind === READ_PASSWORD_UPDATES);
    if (reads.length === 0) continue;
    const real = reads.filter((e) => e.properties['password_mode'] !== 'random');
    const users = uniqueRefs(reads.map((e) => view.node(e.to)));
    const onAdminPath = privileged.has(app.id);
    const severity: Severity = real.length === 0 ? 'low' : onAdminPath ? 'high' : 'medium';
    const where = propString(app, 'target');
    out.push({
      id: `app_receives_passwords:${app.id}`,
      type: 'app_receives_passwords',
      severity,
      title: `${app.label} receives the passwords of ${users.length} user${users.length === 1 ? '' : 's'}`,
      accounts: users,
      apps: [nodeRef(app)],
      explanation:
        `${app.label} (${orgName(view, app)}) is handed the password of ${names(users)} whenever it changes, to set it${where === undefined ? '' : ` at ${where}`}` +
        (real.length === 0 ? ' (as a generated password: the users\' own passwords do not leave the hub).' : '. Whoever administers the app or its target can read or reuse them') +
        (onAdminPath && real.length > 0 ? ', and through them the app reaches an administrator.' : real.length > 0 ? '.' : ''),
      fix:
        real.length === 0
          ? 'Nothing urgent; keep the app on --password random unless the target needs the same password.'
          : `Unless the target must share the hub password, set the app to --password random or off (\`idsync app update ${app.label} --org ${orgName(view, app)} --password random\`); keep the target's own admins to a minimum, and limit who may administer this app.`,
      paths: [],
      weaker: [],
    });
  }
  return out;
}

export interface RiskOptions {
  /** Longest chain considered; default 8 (as `graph paths`). */
  maxDepth?: number;
}

/** Every finding, gravest first, then by type and id. */
export function findRisks(view: GraphView, opts: RiskOptions = {}): Finding[] {
  const maxDepth = opts.maxDepth ?? 8;
  const admins = new Set(view.nodes.filter((n) => isAdminNode(view, n)).map((n) => n.id));
  const privileged = reachesAdmin(view, admins, maxDepth);
  const all = [...syncToAdminFindings(view, admins, maxDepth), ...weakerPolicyFindings(view, privileged), ...passwordReceiverFindings(view, privileged)];
  return all.sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || compareText(a.type, b.type) || compareText(a.id, b.id));
}

/** The text `idsync graph risks` prints. */
export function risksText(findings: readonly Finding[]): string[] {
  if (findings.length === 0) return ['No findings: no account reaches an admin through password sync, no password crosses into a stronger policy, no app receives passwords.'];
  const lines: string[] = [];
  const count = (s: Severity): number => findings.filter((f) => f.severity === s).length;
  lines.push(`${findings.length} finding${findings.length === 1 ? '' : 's'}: ${SEVERITY_ORDER.map((s) => `${count(s)} ${s}`).join(', ')}`);
  for (const f of findings) {
    lines.push('', `[${f.severity.toUpperCase()}] ${f.title}`, `  why: ${f.explanation}`);
    for (const w of f.weaker) lines.push(`  weaker: ${w}`);
    for (const p of f.paths) lines.push(`  path: ${chainText(p)}`);
    lines.push(`  fix: ${f.fix}`);
  }
  return lines;
}
