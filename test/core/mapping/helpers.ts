/** Shared fixtures of the mapping tests. */
import type { ExpressionInput } from '../../../src/core/mapping/index.js';
import type { UserProfile } from '../../../src/core/types.js';

/** What a mapping sees for one user: fixed id and status, the given profile. */
export function userInput(profile: UserProfile, externalId: string | null = null): ExpressionInput {
  return { user: { id: 'usr_1', status: 'ACTIVE', externalId, profile } };
}
