/**
 * Hot-path queries compiled once per database and re-run with new parameters,
 * skipping Kysely's builder and compiler on every request. Placeholders are
 * marker strings in the built query; they are swapped for the real values in
 * the compiled parameter list, so the SQL stays whatever the dialect made it.
 */
import type { CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';

const cache = new WeakMap<Kysely<Database>, Map<string, CompiledQuery>>();

export function marker(name: string): string {
  return `\u0000param:${name}`;
}

export async function runPrepared<R>(
  db: Kysely<Database>,
  key: string,
  build: (db: Kysely<Database>) => { compile(): CompiledQuery },
  values: Record<string, unknown>,
): Promise<R[]> {
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
  const result = await db.executeQuery<R>({ ...compiled, parameters });
  return result.rows;
}
