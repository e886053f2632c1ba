/**
 * Group commit for job outcomes. Jobs of one app tend to end together (their
 * requests were shared), and each outcome is a small transaction whose cost is
 * mostly the commit itself. Outcomes handed in during one turn of the event loop
 * are written in ONE transaction, each in its own savepoint: one that fails rolls
 * back alone and is reported to its job; the others commit together. A job hears
 * "recorded" only after the commit, so nothing is acknowledged that a crash could lose.
 */
import type { Store } from '../../store/store.js';
import { isPlain, recordOutcome, recordPlainOutcomes, type JobEnv, type Outcome, type TaskDraft } from './outcome.js';

interface Entry {
  env: JobEnv;
  outcome: Outcome;
  failure: TaskDraft | null;
  resolve(): void;
  reject(reason: unknown): void;
}

/** Enough to spread the commit; small enough that one transaction never holds the write lock long. */
const MAX_PER_COMMIT = 200;

export class OutcomeCommitter {
  private pending: Entry[] = [];
  private scheduled = false;

  constructor(private readonly store: Store) {}

  record(env: JobEnv, outcome: Outcome, failure: TaskDraft | null): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ env, outcome, failure, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        const entries = this.pending.splice(0);
        for (let i = 0; i < entries.length; i += MAX_PER_COMMIT) void this.commit(entries.slice(i, i + MAX_PER_COMMIT));
      });
    });
  }

  private async commit(entries: Entry[]): Promise<void> {
    if (entries.length === 1) {
      const [e] = entries as [Entry];
      return recordOutcome(e.env, e.outcome, e.failure).then(e.resolve, e.reject);
    }
    const failed = new Map<Entry, unknown>();
    try {
      await this.store.batch(async (bound) => {
        let rest = entries;
        const plain = entries.filter((e) => isPlain(e.outcome, e.failure));
        if (plain.length > 1) {
          // The plain ones first, set-based, in one savepoint; should that fail, every
          // outcome is recorded alone below, so only the culprit fails.
          const now = plain[0]!.env.ctx.clock.now().toISOString();
          try {
            await bound.transaction((tx) => recordPlainOutcomes(plain, tx, now));
            rest = entries.filter((e) => !isPlain(e.outcome, e.failure));
          } catch {
            rest = entries;
          }
        }
        for (const e of rest) {
          try {
            await recordOutcome(e.env, e.outcome, e.failure, bound);
          } catch (err) {
            failed.set(e, err);
          }
        }
      });
    } catch (err) {
      for (const e of entries) e.reject(err);
      return;
    }
    for (const e of entries) {
      if (failed.has(e)) e.reject(failed.get(e));
      else e.resolve();
    }
  }
}
