/**
 * The query plans the hot paths rely on (plans, not timings): a batched lookup
 * (`externalId eq ... or userName eq ...`) is answered by index lookups, not by
 * walking the org's users (migration 0008's planner statistics).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { Store } from '../../src/store/store.js';

async function plan(store: Store, query: string): Promise<string> {
  const rows = await sql<{ detail: string }>`explain query plan ${sql.raw(query)}`.execute(store.backend.db);
  return rows.rows.map((r) => r.detail).join('\n');
}

const BATCHED_LOOKUP = `select * from users where org_id = 'o' and (scim_deleted is null)
  and (external_id = 'a' or login_key = 'b' or external_id = 'c' or login_key = 'd')
  order by created, id limit 100`;

describe('query plans', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'idsync-plans-'));
    store = await Store.open({ sqlite: path.join(dir, 'hub.db') });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a batched OR lookup uses the externalId and login indexes on a new store', async () => {
    const p = await plan(store, BATCHED_LOOKUP);
    assert.match(p, /MULTI-INDEX OR/);
    assert.match(p, /users_org_external/);
    assert.match(p, /users_org_login/);
    assert.doesNotMatch(p, /users_org_created/);
  });

  it("a user's linked apps are found along the links' primary key, not by a scan of every link", async () => {
    // AppRepository.linkedAppIds, planned for every change of a user.
    const p = await plan(store, `select app_id from app_links where app_id in (select id from apps where org_id = 'o') and org_id = 'o' and target_type = 'user' and local_id = 'u'`);
    assert.match(p, /SEARCH app_links USING INDEX sqlite_autoindex_app_links_1 \(app_id=\? AND target_type=\? AND local_id=\?\)/);
    assert.doesNotMatch(p, /SCAN app_links/);
  });
});
