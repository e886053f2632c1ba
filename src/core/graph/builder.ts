/**
 * Turns a snapshot of some orgs into a BloodHound OpenGraph document. Pure: no
 * I/O, no clock; the same snapshot gives the same bytes (nodes and edges are
 * sorted). The rules per edge kind are in builder-rules.ts; this file holds
 * the node shapes, the de-duplication and the split into the main file and the
 * cross-system file.
 */
import { isAdminRole } from '../roles.js';
import { SOURCE_KIND, graphIds, type EdgeKind, type NodeKind, type OpenGraphDocument, type OpenGraphEdge, type OpenGraphEndpoint, type OpenGraphNode, type PropertyMap, type PropertyValue } from './kinds.js';
import { policyProperties } from './policy.js';
import { addAppEdges, addIdpEdges, addMirrorEdges, addRightsEdges } from './builder-rules.js';
import type { GraphSnapshot, OrgSnapshot, SnapshotUser } from './snapshot.js';
import { idpIssuer } from './trust.js';

/** What the rules write into. */
export interface GraphSink {
  node(id: string, kind: NodeKind, properties: Record<string, PropertyValue | null | undefined>): void;
  hasNode(id: string): boolean;
  edge(kind: EdgeKind, start: string | OpenGraphEndpoint, end: string | OpenGraphEndpoint, properties?: Record<string, PropertyValue | null | undefined>): void;
}

/** Every user of the snapshot by id, with their org: resolves accounts in other orgs of the same export. */
export type UserIndex = ReadonlyMap<string, { user: SnapshotUser; org: OrgSnapshot }>;

export interface BuiltGraph {
  nodes: OpenGraphNode[];
  /** Edges between nodes of this export (or of another idsync export, by id). */
  edges: OpenGraphEdge[];
  /** Edges with an endpoint of another collector (AD `User`, `Okta_User`). */
  crossEdges: OpenGraphEdge[];
}

const endpoint = (e: string | OpenGraphEndpoint): OpenGraphEndpoint => (typeof e === 'string' ? { value: e, match_by: 'id' } : e);

/** Drops null/undefined/empty values: the ingest schemas allow no nulls in property maps. */
function clean(props: Record<string, PropertyValue | null | undefined>): PropertyMap {
  const out: PropertyMap = {};
  for (const [k, v] of Object.entries(props)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

class Sink implements GraphSink {
  readonly nodes = new Map<string, OpenGraphNode>();
  readonly edges = new Map<string, OpenGraphEdge>();

  node(id: string, kind: NodeKind, properties: Record<string, PropertyValue | null | undefined>): void {
    if (!this.nodes.has(id)) this.nodes.set(id, { id, kinds: [kind], properties: clean(properties) });
  }

  hasNode(id: string): boolean {
    return this.nodes.has(id);
  }

  edge(kind: EdgeKind, start: string | OpenGraphEndpoint, end: string | OpenGraphEndpoint, properties: Record<string, PropertyValue | null | undefined> = {}): void {
    const s = endpoint(start);
    const e = endpoint(end);
    const key = `${kind}\u0000${s.kind ?? ''}\u0000${s.value}\u0000${e.kind ?? ''}\u0000${e.value}`;
    if (!this.edges.has(key)) this.edges.set(key, { kind, start: s, end: e, properties: clean(properties) });
  }
}

function addOrgNodes(sink: GraphSink, o: OrgSnapshot, admins: ReadonlySet<string>): void {
  sink.node(o.id, 'IdSync_Org', { name: o.name, org_id: o.id, ...policyProperties(o.policy) });
  const contains = (id: string) => sink.edge('IdSync_Contains', o.id, id);
  for (const u of o.users) {
    sink.node(u.id, 'IdSync_User', {
      name: u.login,
      login: u.login,
      email: u.email,
      status: u.status,
      credential_provider: u.credentialProvider,
      org_id: o.id,
      org_name: o.name,
      is_admin: admins.has(u.id),
    });
    contains(u.id);
  }
  for (const g of o.groups) {
    sink.node(g.id, 'IdSync_Group', { name: g.name, org_id: o.id, org_name: o.name });
    contains(g.id);
    for (const m of g.memberIds) sink.edge('IdSync_MemberOf', m, g.id);
  }
  for (const a of o.apps) {
    sink.node(a.id, 'IdSync_App', { name: a.name, app_kind: a.kind, status: a.status, password_sync: a.passwordMode, target: a.baseUrl, org_id: o.id, org_name: o.name });
    contains(a.id);
  }
  for (const i of o.idps) {
    sink.node(i.id, 'IdSync_IdentityProvider', { name: i.name, idp_type: i.type, status: i.status, issuer: idpIssuer(i), org_id: o.id, org_name: o.name });
    contains(i.id);
  }
  for (const type of new Set(o.roles.map((r) => r.type))) {
    const id = graphIds.role(o.id, type);
    sink.node(id, 'IdSync_Role', { name: `${type} (${o.name})`, role_type: type, is_admin: isAdminRole(type), org_id: o.id, org_name: o.name });
    contains(id);
  }
  for (const t of o.tokens) {
    sink.node(t.id, 'IdSync_ApiToken', { name: `API token ${t.name} (${o.name})`, org_id: o.id, org_name: o.name });
    contains(t.id);
  }
  for (const c of o.clients) {
    sink.node(c.id, 'IdSync_ApiClient', { name: c.name, client_id: c.id, scopes: c.scopes, org_id: o.id, org_name: o.name });
    contains(c.id);
  }
}

/** Users holding an admin role (not read-only), directly or through a group. */
export function adminUserIds(o: OrgSnapshot): Set<string> {
  const admins = new Set<string>();
  const members = new Map(o.groups.map((g) => [g.id, g.memberIds]));
  for (const r of o.roles) {
    if (!isAdminRole(r.type)) continue;
    if (r.principal.type === 'USER') admins.add(r.principal.id);
    else for (const m of members.get(r.principal.id) ?? []) admins.add(m);
  }
  return admins;
}

const isCross = (e: OpenGraphEdge): boolean => e.start.kind !== undefined || e.end.kind !== undefined;
const byId = (a: OpenGraphNode, b: OpenGraphNode): number => (a.kinds[0] ?? '').localeCompare(b.kinds[0] ?? '') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const edgeKey = (e: OpenGraphEdge): string => `${e.kind}\u0000${e.start.value}\u0000${e.end.value}`;
const byEdge = (a: OpenGraphEdge, b: OpenGraphEdge): number => {
  const x = edgeKey(a);
  const y = edgeKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

export function buildGraph(snapshot: GraphSnapshot): BuiltGraph {
  const sink = new Sink();
  const users = new Map<string, { user: SnapshotUser; org: OrgSnapshot }>();
  for (const o of snapshot.orgs) for (const u of o.users) users.set(u.id, { user: u, org: o });
  for (const o of snapshot.orgs) addOrgNodes(sink, o, adminUserIds(o));
  for (const o of snapshot.orgs) {
    addRightsEdges(sink, o, adminUserIds(o));
    addAppEdges(sink, o, users);
    addMirrorEdges(sink, o);
  }
  addIdpEdges(sink, snapshot, users);
  const nodes = [...sink.nodes.values()].sort(byId);
  const all = [...sink.edges.values()].sort(byEdge);
  return { nodes, edges: all.filter((e) => !isCross(e)), crossEdges: all.filter(isCross) };
}

/**
 * The documents to write: everything in one, or (as collectors do) the
 * cross-system edges in a second document of their own.
 */
export function toDocuments(g: BuiltGraph, splitCross: boolean): { main: OpenGraphDocument; cross: OpenGraphDocument | null } {
  const metadata = { source_kind: SOURCE_KIND };
  if (!splitCross) return { main: { metadata, graph: { nodes: g.nodes, edges: [...g.edges, ...g.crossEdges] } }, cross: null };
  return { main: { metadata, graph: { nodes: g.nodes, edges: g.edges } }, cross: { metadata, graph: { nodes: [], edges: g.crossEdges } } };
}
