/**
 * Many jobs of one app run side by side against the same target; their lookups and
 * creates can share requests. Calls made in one turn of the event loop are gathered
 * and sent at the next: lookups as one OR filter, creates as one Bulk request when
 * the target's ServiceProviderConfig offers Bulk. A job sees the same answers and
 * the same PushErrors as with single requests; a target that refuses the combined
 * form gets single requests from then on.
 */
import type { JsonObject } from '../../core/json.js';
import type { Clock } from '../../core/types.js';
import { isPushError, type PushError } from '../errors.js';
import type { BulkSupport } from './bulk.js';
import type { LookupKey, ScimClient, ScimResource } from './client.js';

/** What a user job needs for finding and creating accounts; ScimClient is one, unbatched. */
export interface UserTarget {
  /** The first user matched by a key, keys in order of preference. */
  locateUser(keys: readonly LookupKey[]): Promise<ScimResource | null>;
  createUser(body: JsonObject): Promise<ScimResource>;
}

interface Pending<T, R> {
  input: T;
  resolve(value: R): void;
  reject(reason: unknown): void;
}

/** Keys per filter: about 40 bytes each, well under the URL limits of common servers. */
const MAX_LOOKUP_KEYS = 60;
const MAX_CREATES = 100;
/** A target's Bulk support is read again after this long (and after it refused a Bulk request). */
const BULK_RECHECK_MS = 10 * 60_000;

function fold(v: string): string {
  return v.normalize('NFC').toLowerCase();
}

/** SCIM comparison of one key with a returned user: externalId is case-exact, userName and emails are not. */
export function matchesKey(r: ScimResource, key: LookupKey): boolean {
  switch (key.attribute) {
    case 'externalId':
      return r['externalId'] === key.value;
    case 'userName':
      return typeof r['userName'] === 'string' && fold(r['userName']) === fold(key.value);
    case 'emails.value': {
      const emails = r['emails'];
      const want = fold(key.value);
      return Array.isArray(emails) && emails.some((e) => typeof e === 'object' && e !== null && !Array.isArray(e) && typeof e['value'] === 'string' && fold(e['value']) === want);
    }
  }
}

/**
 * A request refused as a whole for its form (not for auth or load): the target
 * cannot do this combined form. 501 Not Implemented says so too, though it is a 5xx.
 */
function refusedForm(e: unknown): e is PushError {
  if (!isPushError(e) || e.httpStatus === null) return false;
  if (e.httpStatus === 501) return true;
  return !e.transient && e.httpStatus >= 400 && e.httpStatus < 500 && ![401, 403, 429].includes(e.httpStatus);
}

export class CoalescingUserTarget implements UserTarget {
  private lookups: Pending<readonly LookupKey[], ScimResource | null>[] = [];
  private creates: Pending<JsonObject, ScimResource>[] = [];
  private scheduled = false;
  private orFilters = true;
  private bulk: { support: Promise<BulkSupport | null>; checked: number } | null = null;

  constructor(
    private readonly client: ScimClient,
    private readonly clock: Clock,
  ) {}

  locateUser(keys: readonly LookupKey[]): Promise<ScimResource | null> {
    if (!this.orFilters || keys.length === 0 || keys.length > MAX_LOOKUP_KEYS) return this.client.locateUser(keys);
    return new Promise((resolve, reject) => {
      this.lookups.push({ input: keys, resolve, reject });
      this.schedule();
    });
  }

  createUser(body: JsonObject): Promise<ScimResource> {
    return new Promise((resolve, reject) => {
      this.creates.push({ input: body, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flushLookups(this.lookups.splice(0));
      void this.flushCreates(this.creates.splice(0));
    });
  }

  private async flushLookups(pending: Pending<readonly LookupKey[], ScimResource | null>[]): Promise<void> {
    const chunks: (typeof pending)[] = [];
    let keys = 0;
    for (const p of pending) {
      const last = chunks[chunks.length - 1];
      if (last === undefined || keys + p.input.length > MAX_LOOKUP_KEYS) {
        chunks.push([p]);
        keys = p.input.length;
      } else {
        last.push(p);
        keys += p.input.length;
      }
    }
    await Promise.all(chunks.map((c) => this.lookupChunk(c)));
  }

  private async lookupChunk(chunk: Pending<readonly LookupKey[], ScimResource | null>[]): Promise<void> {
    if (chunk.length === 1 && (chunk[0] as (typeof chunk)[0]).input.length === 1) return this.single(chunk);
    const seen = new Set<string>();
    const keys = chunk.flatMap((p) => p.input).filter((k) => {
      const id = `${k.attribute}\u0000${k.value}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    let found: ScimResource[];
    try {
      found = await this.client.findUsersByAnyKey(keys);
    } catch (e) {
      if (!refusedForm(e)) {
        for (const p of chunk) p.reject(e);
        return;
      }
      this.orFilters = false;
      return this.single(chunk);
    }
    // A user the target returned that no key matches here means it compares in a way
    // this side does not: answering "not found" could then create a duplicate.
    if (found.some((r) => !keys.some((k) => matchesKey(r, k)))) return this.single(chunk);
    for (const p of chunk) {
      let match: ScimResource | null = null;
      for (const key of p.input) {
        match = found.find((r) => matchesKey(r, key)) ?? null;
        if (match) break;
      }
      p.resolve(match);
    }
  }

  private async single(chunk: Pending<readonly LookupKey[], ScimResource | null>[]): Promise<void> {
    await Promise.all(chunk.map((p) => this.client.locateUser(p.input).then(p.resolve, p.reject)));
  }

  private bulkSupport(): Promise<BulkSupport | null> {
    const now = this.clock.now().getTime();
    if (this.bulk === null || now - this.bulk.checked >= BULK_RECHECK_MS) {
      // A target that cannot say is treated as one without Bulk until the next check.
      this.bulk = { support: this.client.bulkSupport().catch(() => null), checked: now };
    }
    return this.bulk.support;
  }

  private async flushCreates(pending: Pending<JsonObject, ScimResource>[]): Promise<void> {
    if (pending.length === 0) return;
    const support = pending.length > 1 ? await this.bulkSupport() : null;
    if (support === null) {
      await Promise.all(pending.map((p) => this.client.createUser(p.input).then(p.resolve, p.reject)));
      return;
    }
    const maxOps = Math.min(support.maxOperations, MAX_CREATES);
    // Room for the envelope; each operation also carries method, path and bulkId.
    const budget = Math.floor(support.maxPayloadSize * 0.9);
    const chunks: (typeof pending)[] = [];
    let bytes = 0;
    for (const p of pending) {
      const size = Buffer.byteLength(JSON.stringify(p.input)) + 64;
      const last = chunks[chunks.length - 1];
      if (last === undefined || last.length >= maxOps || bytes + size > budget) {
        chunks.push([p]);
        bytes = size;
      } else {
        last.push(p);
        bytes += size;
      }
    }
    await Promise.all(chunks.map((c) => this.createChunk(c)));
  }

  private async createChunk(chunk: Pending<JsonObject, ScimResource>[]): Promise<void> {
    if (chunk.length === 1) {
      const [p] = chunk as [(typeof chunk)[0]];
      return this.client.createUser(p.input).then(p.resolve, p.reject);
    }
    try {
      const outcomes = await this.client.bulkCreateUsers(chunk.map((p) => p.input));
      chunk.forEach((p, i) => {
        const o = outcomes[i];
        if (o?.ok) p.resolve(o.resource);
        else if (o) p.reject(o.error);
      });
    } catch (e) {
      if (!refusedForm(e)) {
        for (const p of chunk) p.reject(e);
        return;
      }
      // Refused as a whole request, so nothing of it was created: single creates are safe.
      this.bulk = { support: Promise.resolve(null), checked: this.clock.now().getTime() };
      await Promise.all(chunk.map((p) => this.client.createUser(p.input).then(p.resolve, p.reject)));
    }
  }
}
