/** The append-only event log of one org: audit trail and provisioning feed. */
import type { Kysely } from 'kysely';
import type { HubEvent } from '../core/types.js';
import type { Database, EventRow } from './schema.js';
import { runChunked, slot } from './compiled.js';

export type NewEvent = Omit<HubEvent, 'seq' | 'orgId'>;

export function toEvent(r: EventRow): HubEvent {
  return {
    seq: r.seq,
    id: r.id,
    orgId: r.org_id,
    type: r.type,
    actor: r.actor,
    targetType: r.target_type as HubEvent['targetType'],
    targetId: r.target_id,
    data: JSON.parse(r.data) as Record<string, unknown>,
    created: r.created,
  };
}

export class EventRepository {
  constructor(
    private readonly db: Kysely<Database>,
    readonly orgId: string,
  ) {}

  /** Every change appends one or more: the statement is compiled once (compiled.ts). */
  async append(e: NewEvent): Promise<void> {
    await this.appendMany([e]);
  }

  /** Several events in request order (their seqs follow it): a batch of job outcomes writes them together. */
  async appendMany(list: readonly NewEvent[]): Promise<void> {
    await runChunked(
      this.db,
      'events.appendMany',
      list,
      (n) =>
        this.db.insertInto('events').values(
          Array.from({ length: n }, (_, i) => ({ id: slot(i * 8), org_id: slot(i * 8 + 1), type: slot(i * 8 + 2), actor: slot(i * 8 + 3), target_type: slot(i * 8 + 4), target_id: slot(i * 8 + 5), data: slot(i * 8 + 6), created: slot(i * 8 + 7) })),
        ),
      (chunk) => chunk.flatMap((e) => [e.id, this.orgId, e.type, e.actor, e.targetType, e.targetId, JSON.stringify(e.data), e.created]),
    );
  }

  /** The newest event of a type about one target, or null (walks the org/target index). */
  async latest(targetId: string, type: string): Promise<HubEvent | null> {
    const r = await this.db
      .selectFrom('events')
      .selectAll()
      .where('org_id', '=', this.orgId)
      .where('target_id', '=', targetId)
      .where('type', '=', type)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r ? toEvent(r) : null;
  }

  /** Events after a sequence number, oldest first: the cursor a consumer resumes from. */
  async after(seq: number, limit: number, targetId?: string): Promise<HubEvent[]> {
    let q = this.db.selectFrom('events').selectAll().where('org_id', '=', this.orgId).where('seq', '>', seq);
    if (targetId !== undefined) q = q.where('target_id', '=', targetId);
    const rows = await q.orderBy('seq').limit(limit).execute();
    return rows.map(toEvent);
  }
}
