/**
 * Validates OpenGraph documents against both ingest schema sets shipped in
 * test/fixtures/opengraph/: BloodHound's own (what its API compiles at upload)
 * and chow's stricter one (lowercase property names, no `objectid`, no `tag_`
 * kinds, nothing but `metadata` and `graph` at the top). Any test that makes an
 * export calls `assertValidOpenGraph`; a failure names the set, the element and
 * ajv's error text.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/opengraph');

const load = (set: string, file: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(DIR, set, file), 'utf8')) as Record<string, unknown>;

interface SchemaSet {
  name: string;
  /** The whole document, when the set has a top-level schema (chow). */
  document: ValidateFunction | null;
  node: ValidateFunction;
  edge: ValidateFunction;
  metadata: ValidateFunction;
}

function compileSet(set: string): SchemaSet {
  // The schemas are third-party and carry annotations (examples, defaults) strict mode would refuse.
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addSchema(load(set, 'node.json'), 'node.json');
  ajv.addSchema(load(set, 'edge.json'), 'edge.json');
  ajv.addSchema(load(set, 'metadata.json'), 'metadata.json');
  const top = set === 'chow' ? ajv.compile({ ...load(set, 'opengraph.json'), $id: 'opengraph.json' }) : null;
  const get = (id: string): ValidateFunction => {
    const v = ajv.getSchema(id);
    if (!v) throw new Error(`schema ${set}/${id} did not compile`);
    return v;
  };
  return { name: set, document: top, node: get('node.json'), edge: get('edge.json'), metadata: get('metadata.json') };
}

let sets: SchemaSet[] | null = null;
const schemaSets = (): SchemaSet[] => (sets ??= [compileSet('bloodhound'), compileSet('chow')]);

const errorsOf = (v: ValidateFunction): string => (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`).join('; ');

/** Every problem of `doc` against both sets; empty when it validates. */
export function openGraphProblems(doc: unknown): string[] {
  const problems: string[] = [];
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return ['the document is not a JSON object'];
  const d = doc as { metadata?: unknown; graph?: { nodes?: unknown; edges?: unknown } };
  const extra = Object.keys(d).filter((k) => k !== 'metadata' && k !== 'graph');
  if (extra.length > 0) problems.push(`top level: unexpected keys ${extra.join(', ')}`);
  if (!d.graph || !Array.isArray(d.graph.nodes) || !Array.isArray(d.graph.edges)) return [...problems, 'graph.nodes and graph.edges must be arrays'];
  for (const set of schemaSets()) {
    if (set.document && !set.document(doc)) problems.push(`${set.name} document: ${errorsOf(set.document)}`);
    if (d.metadata !== undefined && !set.metadata(d.metadata)) problems.push(`${set.name} metadata: ${errorsOf(set.metadata)}`);
    (d.graph.nodes as unknown[]).forEach((n, i) => {
      if (!set.node(n)) problems.push(`${set.name} node ${i} (${JSON.stringify((n as { id?: unknown }).id)}): ${errorsOf(set.node)}`);
    });
    (d.graph.edges as unknown[]).forEach((e, i) => {
      if (!set.edge(e)) problems.push(`${set.name} edge ${i} (${JSON.stringify((e as { kind?: unknown }).kind)}): ${errorsOf(set.edge)}`);
    });
  }
  return problems;
}

/** Throws with ajv's error text (the first 20 problems) unless `doc` validates against both sets. */
export function assertValidOpenGraph(doc: unknown, label = 'OpenGraph document'): void {
  const problems = openGraphProblems(doc);
  if (problems.length > 0) {
    throw new Error(`${label} does not validate (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.slice(0, 20).join('\n')}`);
  }
}
