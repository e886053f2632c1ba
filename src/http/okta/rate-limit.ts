/**
 * Rate limits per org and endpoint family, in fixed one-minute windows, with the
 * management API's headers: `X-Rate-Limit-Limit`, `X-Rate-Limit-Remaining` and
 * `X-Rate-Limit-Reset` (epoch seconds when the window ends). Time comes from the
 * service clock, so tests move it instead of sleeping.
 *
 * The counters live in this process: behind several hub processes each one counts
 * its own share (the sum can exceed the limit by that factor).
 */
import { IdsyncError } from '../../core/errors.js';
import type { Clock } from '../../core/types.js';

export const RATE_FAMILIES = ['users', 'groups', 'other'] as const;
export type RateFamily = (typeof RATE_FAMILIES)[number];
export type RateLimits = Record<RateFamily, number>;

/** Requests per minute, like the real API's defaults for these endpoints. */
export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = Object.freeze({ users: 600, groups: 500, other: 1200 });

const WINDOW_MS = 60_000;

export interface RateDecision {
  limit: number;
  remaining: number;
  /** Epoch seconds at which the window ends and the count starts again. */
  reset: number;
  allowed: boolean;
}

/** The family of a path under the API prefix: `/api/v1/users...`, `/api/v1/groups...`, else other. */
export function rateFamily(path: string): RateFamily {
  const m = /^\/api\/v1\/(users|groups)(?:[/?]|$)/.exec(path);
  return (m?.[1] as RateFamily | undefined) ?? 'other';
}

export function rateLimitError(family: RateFamily, d: RateDecision): IdsyncError {
  return new IdsyncError('rate_limited', 'OKTA_RATE_LIMITED', 'API call exceeded rate limit due to too many requests.', {
    causes: [`This org made more than ${d.limit} requests to the ${family} endpoints this minute; wait until ${new Date(d.reset * 1000).toISOString()} (X-Rate-Limit-Reset) and retry.`],
  });
}

export class FixedWindowLimiter {
  private readonly counts = new Map<string, { window: number; count: number }>();

  constructor(
    private readonly limits: Readonly<RateLimits>,
    private readonly clock: Clock,
  ) {
    for (const f of RATE_FAMILIES) {
      const n = limits[f];
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`Rate limit for ${f} must be a positive integer, got ${String(n)}.`);
    }
  }

  /** Counts one request of `orgId` to `family` and says whether it is within the limit. */
  take(orgId: string, family: RateFamily): RateDecision {
    const now = this.clock.now().getTime();
    const window = Math.floor(now / WINDOW_MS);
    const key = `${orgId} ${family}`;
    let entry = this.counts.get(key);
    if (entry === undefined || entry.window !== window) {
      entry = { window, count: 0 };
      this.counts.set(key, entry);
    }
    const limit = this.limits[family];
    const allowed = entry.count < limit;
    if (allowed) entry.count += 1;
    return { limit, remaining: Math.max(0, limit - entry.count), reset: ((window + 1) * WINDOW_MS) / 1000, allowed };
  }
}
