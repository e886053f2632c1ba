/**
 * Fast seeding for benches: users written straight through the store in
 * batched transactions (no password, no argon2), each with the event a real
 * create writes, so the tables look like a directory that grew through the API.
 * Every other user looks created through SCIM (the client's emails array kept, as a
 * SCIM POST keeps it, which a lookup then parses and renders), the rest created by
 * the other APIs or an import (no SCIM-only data).
 */
import { sql } from 'kysely';
import type { App } from '../src/app.js';
import type { User } from '../src/core/types.js';

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Dennis', 'Radia', 'Leslie'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Ritchie', 'Perlman', 'Lamport'];

export const seedLogin = (i: number): string => `user${i}@example.com`;

export function seedUser(app: App, orgId: string, i: number, now: string): User {
  const login = seedLogin(i);
  return {
    id: app.ctx.ids.id('usr'),
    orgId,
    status: 'ACTIVE',
    externalId: null,
    profile: { login, firstName: FIRST[i % FIRST.length] ?? 'Ada', lastName: LAST[(i * 7) % LAST.length] ?? 'Lovelace', email: login },
    scimExtra: i % 2 === 0 ? { emails: [{ value: login, type: 'work', primary: true }] } : {},
    credentialProvider: 'HUB',
    passwordHash: null,
    passwordChanged: null,
    failedSignIns: 0,
    created: now,
    activated: now,
    statusChanged: now,
    lastLogin: null,
    lastUpdated: now,
    scimDeleted: null,
    version: 1,
  };
}

/** Inserts `count` users in transactions of `batch`; returns the seconds it took. */
export async function seedUsers(app: App, orgId: string, count: number, actor: string, batch = 5_000): Promise<number> {
  const start = performance.now();
  for (let from = 0; from < count; from += batch) {
    const to = Math.min(count, from + batch);
    await app.ctx.store.transaction(async (tx) => {
      const s = tx.org(orgId);
      const now = new Date().toISOString();
      for (let i = from; i < to; i++) {
        const user = seedUser(app, orgId, i, now);
        await s.users.insert(user);
        await s.events.append({
          id: app.ctx.ids.id('evt'),
          type: 'user.lifecycle.create',
          actor,
          targetType: 'user',
          targetId: user.id,
          data: { login: user.profile.login, status: user.status, activated: true },
          created: now,
        });
      }
    });
  }
  return (performance.now() - start) / 1000;
}

export interface SampledUser {
  id: string;
  login: string;
}

/** Up to `n` existing users of the org, picked at random. */
export async function sampleUsers(app: App, orgId: string, n: number): Promise<SampledUser[]> {
  return app.ctx.store.backend.db
    .selectFrom('users')
    .select(['id', 'login'])
    .where('org_id', '=', orgId)
    .orderBy(sql`random()`)
    .limit(n)
    .execute();
}
