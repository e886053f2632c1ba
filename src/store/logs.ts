/**
 * The event log of one org read as a system log: a time window, a filter already
 * translated to SQL (`filter-sql.ts` with the log's column resolver), keywords, and
 * keyset pages on the sequence number in either direction.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { HubEvent } from '../core/types.js';
import type { Database } from './schema.js';
import { toEvent } from './events.js';

export interface LogQuery {
  where: RawBuilder<boolean> | null;
  /** Lower-cased terms; each must appear in the type, actor, target or data. */
  keywords: readonly string[];
  /** Inclusive lower bound of `created`. */
  since: string | null;
  /** Exclusive upper bound of `created`. */
  until: string | null;
  /** Continue after this sequence number (in the direction of `order`). */
  afterSeq: number | null;
  order: 'asc' | 'desc';
  limit: number;
}


export class LogRepository {
  constructor(
    private readonly db: Kysely<Database>,
    readonly orgId: string,
  ) {}

  async page(q: LogQuery): Promise<HubEvent[]> {
    let query = this.db.selectFrom('events').selectAll().where('org_id', '=', this.orgId);
    if (q.since !== null) query = query.where('created', '>=', q.since);
    if (q.until !== null) query = query.where('created', '<', q.until);
    if (q.afterSeq !== null) query = query.where('seq', q.order === 'asc' ? '>' : '<', q.afterSeq);
    if (q.where !== null) query = query.where(q.where);
    for (const k of q.keywords) {
      query = query.where(
        sql<boolean>`(instr(lower(type), ${k}) > 0 or instr(lower(actor), ${k}) > 0 or instr(lower(target_id), ${k}) > 0 or instr(lower(data), ${k}) > 0)`,
      );
    }
    const rows = await query.orderBy('seq', q.order).limit(q.limit).execute();
    return rows.map(toEvent);
  }
}
