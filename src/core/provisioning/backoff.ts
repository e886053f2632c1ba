/**
 * Retry timing for transient failures: exponential backoff with full jitter,
 * never sooner than the target asked (Retry-After), capped. Randomness is a
 * parameter so tests are deterministic.
 */
export const BASE_DELAY_MS = 1_000;
export const MAX_DELAY_MS = 15 * 60_000;
export const MAX_ATTEMPTS = 12;

export function retryDelayMs(attempt: number, random: () => number, retryAfterMs: number | null = null): number {
  const exp = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  // Full jitter spreads retries of many jobs that failed together.
  const jittered = Math.round(exp / 2 + random() * (exp / 2));
  return Math.min(MAX_DELAY_MS, Math.max(jittered, retryAfterMs ?? 0));
}

/** Circuit breaker: after this many transient failures in a row an app is paused. */
export const PAUSE_AFTER_FAILURES = 5;

export function pauseMs(consecutiveFailures: number): number {
  if (consecutiveFailures < PAUSE_AFTER_FAILURES) return 0;
  return Math.min(MAX_DELAY_MS, 5_000 * 2 ** (consecutiveFailures - PAUSE_AFTER_FAILURES));
}
