/**
 * Store.batch: one transaction whose inner transactions are savepoints. A part
 * that fails leaves nothing behind; the others commit together; nothing is
 * visible to other connections before the batch commits.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { Store } from '../../src/store/store.js';

describe('Store.batch', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'idsync-batch-'));
    store = await Store.open({ sqlite: path.join(dir, 'hub.db') });
    await sql`create table t (x text primary key)`.execute(store.backend.db);
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const rows = async (): Promise<string[]> => (await sql<{ x: string }>`select x from t order by x`.execute(store.backend.db)).rows.map((r) => r.x);
  const insert = (s: Store, x: string) => s.transaction(async () => void (await sql`insert into t (x) values (${x})`.execute(s.backend.db)));

  it('rolls back a failed part alone and commits the rest together', async () => {
    const outcomes = await store.batch(async (bound) => {
      const out: string[] = [];
      for (const x of ['a', 'b', 'a', 'c']) {
        try {
          await insert(bound, x);
          out.push('ok');
        } catch (e) {
          out.push((e as { code?: string }).code ?? 'error');
        }
      }
      // A nested part whose inner step succeeded but whose outer step failed leaves nothing.
      await bound
        .transaction(async () => {
          await insert(bound, 'd');
          throw new Error('outer step failed');
        })
        .catch(() => undefined);
      return out;
    });
    // The duplicate is the same 409 a single transaction gives.
    assert.deepEqual(outcomes, ['ok', 'ok', 'STORE_CONFLICT', 'ok']);
    assert.deepEqual(await rows(), ['a', 'b', 'c']);
  });

  it('a batch that throws commits nothing', async () => {
    await assert.rejects(
      store.batch(async (bound) => {
        await insert(bound, 'e');
        throw new Error('boom');
      }),
    );
    assert.deepEqual(await rows(), ['a', 'b', 'c']);
  });

  it('a bound store refuses to close the database', async () => {
    await store.batch(async (bound) => {
      await assert.rejects(bound.close(), /cannot close/);
    });
    assert.deepEqual(await rows(), ['a', 'b', 'c']);
  });
});
