/**
 * Hot-path queries compiled once per database and re-run with new parameters,
 * skipping Kysely's builder and compiler on every request. Placeholders are
 * marker strings in the built query; they are swapped for the real values in
 * the compiled parameter list, so the SQL stays whatever the dialect made it.
 */
import type { CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * A backend may offer a separate connection that reads committed data only
 * (SQLite in WAL mode: a second handle). Point lookups outside a transaction
 * use it directly: no builder, no compiler, no wait for the writer's lock.
 * Inside a transaction the transaction's own connection must be used, so that
 * it sees its own writes.
 */
export interface CommittedReader {
  all(sqlText: string, parameters: readonly unknown[]): unknown[];
  /**
   * The rows as arrays of column values in select-list order. A driver that builds a
   * row object key by key (better-sqlite3: an internalized name and a shape change per
   * column) spends more on that than on the lookup itself.
   */
  values(sqlText: string, parameters: readonly unknown[]): unknown[][];
}

const readers = new WeakMap<Kysely<Database>, CommittedReader>();

export function registerCommittedReader(db: Kysely<Database>, reader: CommittedReader): void {
  readers.set(db, reader);
}

const cache = new WeakMap<Kysely<Database>, Map<string, CompiledQuery>>();

export function marker(name: string): string {
  return `\u0000param:${name}`;
}

type Build = (db: Kysely<Database>) => { compile(): CompiledQuery };

/** The query compiled once per database, and this run's parameters in its slots. */
function compiledFor(db: Kysely<Database>, key: string, build: Build, values: Record<string, unknown>): { compiled: CompiledQuery; parameters: unknown[] } {
  let perDb = cache.get(db);
  if (!perDb) {
    perDb = new Map();
    cache.set(db, perDb);
  }
  let compiled = perDb.get(key);
  if (!compiled) {
    compiled = build(db).compile();
    perDb.set(key, compiled);
  }
  const parameters = compiled.parameters.map((p) => {
    if (typeof p === 'string' && p.startsWith('\u0000param:')) return values[p.slice(7)];
    return p;
  });
  return { compiled, parameters };
}

export async function runPrepared<R>(db: Kysely<Database>, key: string, build: Build, values: Record<string, unknown>): Promise<R[]> {
  const { compiled, parameters } = compiledFor(db, key, build, values);
  const reader = db.isTransaction ? undefined : readers.get(db);
  if (reader) return reader.all(compiled.sql, parameters) as R[];
  return (await db.executeQuery<R>({ ...compiled, parameters })).rows;
}

/**
 * As runPrepared, with each row as its values in the order of `columns`, the names
 * of the query's select list (used to read them from a transaction's row objects).
 */
export async function runPreparedValues(db: Kysely<Database>, key: string, build: Build, values: Record<string, unknown>, columns: readonly string[]): Promise<unknown[][]> {
  const { compiled, parameters } = compiledFor(db, key, build, values);
  const reader = db.isTransaction ? undefined : readers.get(db);
  if (reader) return reader.values(compiled.sql, parameters);
  const { rows } = await db.executeQuery<Record<string, unknown>>({ ...compiled, parameters });
  return rows.map((r) => columns.map((c) => r[c]));
}
