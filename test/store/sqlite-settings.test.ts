/**
 * The SQLite backend's settings: the reader's memory map (IDSYNC_SQLITE_MMAP_BYTES,
 * refused with a clear error when it is not a byte count) and the WAL's checkpoint
 * threshold.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { IdsyncError } from '../../src/core/errors.js';
import { Store } from '../../src/store/store.js';

const ENV = 'IDSYNC_SQLITE_MMAP_BYTES';

async function withEnv<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const saved = process.env[ENV];
  if (value === undefined) delete process.env[ENV];
  else process.env[ENV] = value;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env[ENV];
    else process.env[ENV] = saved;
  }
}

describe('SQLite settings', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'idsync-sqlite-settings-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const bad of ['lots', '-1', '1.5']) {
    it(`refuses ${JSON.stringify(bad)} as the reader's map size, naming the variable and the fix`, async () => {
      await withEnv(bad, async () => {
        await assert.rejects(Store.open({ sqlite: path.join(dir, `bad-${bad}.db`) }), (e: unknown) => {
          assert.ok(e instanceof IdsyncError);
          assert.equal(e.code, 'STORE_BAD_MMAP_SIZE');
          assert.match(e.message, /IDSYNC_SQLITE_MMAP_BYTES must be a whole number of bytes/);
          assert.ok(e.message.includes(JSON.stringify(bad)));
          return true;
        });
      });
    });
  }

  for (const value of [undefined, '0']) {
    it(`opens with the map ${value ?? 'at its default'}, reads what it wrote, and checkpoints every 10,000 pages`, async () => {
      await withEnv(value, async () => {
        const store = await Store.open({ sqlite: path.join(dir, `ok-${value ?? 'default'}.db`) });
        try {
          const db = store.backend.db;
          const pages = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db);
          assert.equal(pages.rows[0]?.wal_autocheckpoint, 10_000);
          await sql`create table t (x text primary key)`.execute(db);
          await sql`insert into t (x) values ('a')`.execute(db);
          const seen = await store.read(async () => (await sql<{ x: string }>`select x from t`.execute(db)).rows.map((r) => r.x));
          assert.deepEqual(seen, ['a']);
        } finally {
          await store.close();
        }
      });
    });
  }
});
