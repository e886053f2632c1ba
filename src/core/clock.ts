import type { Clock } from './types.js';

/** The real wall clock. Only the composition root should use it; domain code takes a Clock. */
export const systemClock: Clock = { now: () => new Date() };

function toDate(date: Date | string): Date {
  const d = new Date(date);
  if (Number.isNaN(d.getTime())) throw new RangeError(`Not a valid date: ${String(date)}`);
  return d;
}

/** A clock stuck at one instant. Returns a fresh Date each call so callers cannot move it by mutation. */
export function fixedClock(date: Date | string): Clock {
  const ms = toDate(date).getTime();
  return { now: () => new Date(ms) };
}

export interface ManualClock extends Clock {
  /** Moves the clock to an absolute instant. */
  set(date: Date | string): void;
  /** Moves the clock forward (or back, with a negative value) by milliseconds. */
  advance(ms: number): void;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** A clock that tests move by hand, so expiry and minimum ages are tested without sleeping. */
export function manualClock(start: Date | string): ManualClock {
  let ms = toDate(start).getTime();
  return {
    now: () => new Date(ms),
    set: (date) => {
      ms = toDate(date).getTime();
    },
    advance: (delta) => {
      ms += delta;
    },
  };
}
