/**
 * Set-based writes of the provisioning hot path (a batch of job outcomes), built
 * with Kysely ONCE per shape and re-run with new parameters. Building and
 * compiling a query costs about as much as SQLite running a small one, and an
 * outcome batch writes hundreds of rows; a multi-row statement whose text is
 * always one of a few (rows are sent in chunks of fixed sizes) also stays in the
 * driver's statement cache.
 *
 * Parameters are marker strings in the built query, swapped for the real values in
 * the compiled parameter list, so the SQL stays whatever the dialect made it.
 */
import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Database } from './schema.js';

const PREFIX = '\u0000slot:';

/** The placeholder for values[i] in a query built for `runCompiled`. */
export function slot(i: number): string {
  return `${PREFIX}${i}`;
}

interface Shape {
  query: CompiledQuery;
  /** For each compiled parameter: the index into `values`, or -1 for a constant of the query. */
  slots: number[];
}

// Compiled SQL depends on the dialect alone; every transaction of a database shares its adapter.
const shapes = new WeakMap<object, Map<string, Shape>>();

export async function runCompiled<R>(db: Kysely<Database>, key: string, build: () => Compilable<unknown>, values: readonly unknown[]): Promise<QueryResult<R>> {
  const adapter = db.getExecutor().adapter;
  let perDialect = shapes.get(adapter);
  if (!perDialect) {
    perDialect = new Map();
    shapes.set(adapter, perDialect);
  }
  let shape = perDialect.get(key);
  if (!shape) {
    const query = build().compile();
    shape = { query, slots: query.parameters.map((p) => (typeof p === 'string' && p.startsWith(PREFIX) ? Number(p.slice(PREFIX.length)) : -1)) };
    perDialect.set(key, shape);
  }
  const { query, slots } = shape;
  const parameters = slots.map((s, i) => (s < 0 ? query.parameters[i] : values[s]));
  return db.executeQuery<R>({ ...query, parameters } as CompiledQuery<R>);
}

/** Chunk sizes: any count is a few chunks, and a statement has one of four texts. */
const LADDER = [64, 16, 4, 1] as const;

/** Splits items into chunks whose sizes come from LADDER, largest first. */
export function ladderChunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (const size of LADDER) {
    while (items.length - at >= size) {
      out.push(items.slice(at, at + size));
      at += size;
    }
  }
  return out;
}

/** runCompiled once per ladder chunk: `build(n)` builds the statement for n items, `flat` their values in slot order. */
export async function runChunked<T>(db: Kysely<Database>, key: string, items: readonly T[], build: (n: number) => Compilable<unknown>, flat: (chunk: readonly T[]) => unknown[]): Promise<number> {
  let affected = 0;
  for (const chunk of ladderChunks(items)) {
    const r = await runCompiled(db, `${key}:${chunk.length}`, () => build(chunk.length), flat(chunk));
    affected += Number(r.numAffectedRows ?? 0n);
  }
  return affected;
}
