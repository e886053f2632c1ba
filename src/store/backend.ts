import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** What a storage backend provides: a Kysely instance and the few facts that differ per dialect. */
export interface Backend {
  kind: 'sqlite' | 'postgres';
  db: Kysely<Database>;
  /** Whether a driver error is a unique-constraint violation (a race the service's own check lost). */
  isUniqueViolation(e: unknown): boolean;
  close(): Promise<void>;
}
