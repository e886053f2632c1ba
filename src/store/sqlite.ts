/**
 * The embedded default backend: one SQLite file through better-sqlite3, in WAL
 * mode. Kysely sits on top so services never see SQL dialect differences.
 */
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';
import { IdsyncError } from '../core/errors.js';
import type { Database as Schema } from './schema.js';
import type { Backend } from './backend.js';
import { registerCommittedReader } from './prepared.js';

/** better-sqlite3 parses SQL on every prepare; a bounded statement cache saves that on hot paths. */
function withStatementCache(db: Database.Database, opts: { raw?: boolean } = {}, limit = 512): { prepare(sql: string): Database.Statement; close(): void } {
  const cache = new Map<string, Database.Statement>();
  return {
    prepare(sqlText: string) {
      let stmt = cache.get(sqlText);
      if (stmt === undefined) {
        stmt = db.prepare(sqlText);
        if (opts.raw) stmt.raw(true);
        if (cache.size >= limit) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
        cache.set(sqlText, stmt);
      }
      return stmt;
    },
    close: () => db.close(),
  };
}

/**
 * Transactions start with BEGIN IMMEDIATE: a deferred transaction that reads and
 * then writes can fail with SQLITE_BUSY when a second process (the CLI beside a
 * running server) wrote in between, and busy_timeout cannot help it.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0];
  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

const WAL_AUTOCHECKPOINT_PAGES = 10_000;
const DEFAULT_READER_MMAP_BYTES = 1024 * 1024 * 1024;

/** IDSYNC_SQLITE_MMAP_BYTES: the reader's mapping of the database file (a limit; only the file's size is mapped). */
function readerMmapBytes(): number {
  const text = process.env['IDSYNC_SQLITE_MMAP_BYTES'];
  if (text === undefined || text === '') return DEFAULT_READER_MMAP_BYTES;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new IdsyncError('invalid', 'STORE_BAD_MMAP_SIZE', `IDSYNC_SQLITE_MMAP_BYTES must be a whole number of bytes, 0 or more (got ${JSON.stringify(text)}); 0 turns memory-mapped reads off.`, { expose: true });
  }
  return n;
}

export function openSqlite(file: string): Backend {
  // Settings are read before any handle opens: a refused one leaves nothing open behind it.
  const mmapBytes = readerMmapBytes();
  let raw: Database.Database;
  try {
    raw = new Database(file);
  } catch (e) {
    throw new IdsyncError(
      'unavailable',
      'STORE_OPEN_FAILED',
      `Cannot open the database file ${file}: ${(e as Error).message}. Check that the folder exists and is writable, or pass another path with --db or IDSYNC_DB.`,
      { cause: e, expose: true },
    );
  }
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  // Savepoints (a SCIM Bulk request, a batch of job outcomes: one per part) copy each
  // page before its first change into a sub-journal, a temp file by default: a write
  // syscall per page, which tripled the cost of an insert inside a savepoint. In
  // memory, a sub-journal holds at most the pages one transaction changes.
  raw.pragma('temp_store = MEMORY');
  // A checkpoint copies the WAL's pages into the database file, on the commit that
  // crosses the threshold. Creates rewrite the same few pages (the tails of the
  // table, of the event log and of the ordered indexes): checkpointing every 10,000
  // pages (a WAL of up to ~40 MiB) instead of SQLite's 1,000 writes each of those
  // pages a tenth as often. (SCIM creates used 5-30% less CPU in A/B runs here; the
  // spread is this machine's noise.)
  raw.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  const db = new Kysely<Schema>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(raw) }) });
  // A second handle for committed reads (WAL lets readers run beside the writer).
  const reader = new Database(file, { readonly: true, fileMustExist: true });
  reader.pragma('busy_timeout = 5000');
  // Reads map the file: a page not in SQLite's cache is a memory read, not a pread()
  // and a 4 KiB copy into the cache (a lookup by userName in 100,000 users: 18 -> 14 µs
  // here). Only the reader: SQLite writes through its own pages either way. 0 turns it
  // off, for a filesystem where a mapped file's I/O error would be a SIGBUS (NFS).
  reader.pragma(`mmap_size = ${mmapBytes}`);
  const readCache = withStatementCache(reader);
  const valuesCache = withStatementCache(reader, { raw: true });
  registerCommittedReader(db, {
    all: (sqlText, params) => readCache.prepare(sqlText).all(...params),
    values: (sqlText, params) => valuesCache.prepare(sqlText).all(...params) as unknown[][],
  });
  return {
    kind: 'sqlite',
    db,
    isUniqueViolation: (e) => (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' || (e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY',
    close: async () => {
      await db.destroy();
      reader.close();
    },
  };
}
