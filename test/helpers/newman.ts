/**
 * Runs a Postman collection with newman's Node API against a live hub and
 * returns every assertion's outcome, plus script errors, so a test can compare
 * the failures with an explicit allow-list.
 */
import { pathToFileURL } from 'node:url';
import newman from 'newman';

/** Where the vendor collections live: the shared reference folder beside the repository, or IDSYNC_SCIM_CONFORMANCE_DIR. */
export const CONFORMANCE_DIR = process.env['IDSYNC_SCIM_CONFORMANCE_DIR']
  ? pathToFileURL(`${process.env['IDSYNC_SCIM_CONFORMANCE_DIR'].replace(/\/$/, '')}/`)
  : new URL('../../../shared/reference/scim-conformance/', import.meta.url);

export interface AssertionOutcome {
  item: string;
  assertion: string;
  passed: boolean;
  message: string;
}

export interface CollectionRun {
  outcomes: AssertionOutcome[];
  /** Errors thrown by the collection's own scripts ("<item>: <message>"). */
  scriptErrors: string[];
  /** Status codes per request, in order ("<item> -> 200"), for failure messages. */
  responses: string[];
}

export function runCollection(collection: object, envVar: Record<string, string>): Promise<CollectionRun> {
  const outcomes: AssertionOutcome[] = [];
  const scriptErrors: string[] = [];
  const responses: string[] = [];
  return new Promise((resolve, reject) => {
    newman
      .run(
        {
          collection,
          envVar: Object.entries(envVar).map(([key, value]) => ({ key, value })),
          reporters: [],
          // Loopback only; a hung request should fail the test rather than hang it.
          timeoutRequest: 30_000,
        },
        (err) => (err ? reject(err) : resolve({ outcomes, scriptErrors, responses })),
      )
      .on('assertion', (err: { message?: string } | null, args: { assertion: string; item: { name: string }; skipped?: boolean }) => {
        if (args.skipped) return;
        outcomes.push({ item: args.item.name, assertion: args.assertion, passed: err === null, message: err?.message ?? '' });
      })
      .on('exception', (_err: unknown, args: { error?: { message?: string }; cursor?: { ref?: string } }) => {
        scriptErrors.push(`exception: ${args.error?.message ?? 'unknown'}`);
      })
      .on('script', (_err: unknown, args: { execution?: { error?: { message?: string } }; item: { name: string }; event?: { listen?: string } }) => {
        const e = args.execution?.error;
        if (e) scriptErrors.push(`${args.item.name} (${args.event?.listen ?? 'script'}): ${e.message ?? 'error'}`);
      })
      .on('request', (err: Error | null, args: { item: { name: string }; response?: { code: number } }) => {
        responses.push(`${args.item.name} -> ${err ? `error ${err.message}` : String(args.response?.code)}`);
      });
  });
}

/** "item :: assertion" of each failed assertion, sorted, duplicates kept. */
export function failedKeys(run: CollectionRun): string[] {
  return run.outcomes.filter((o) => !o.passed).map((o) => `${o.item} :: ${o.assertion}`).sort();
}

/** An assertion of a vendor collection that fails against the hub on purpose. */
export interface KnownDeviation {
  item: string;
  assertion: string;
  /** Whether the collection asks for something RFC 7643/7644 requires, or for one client's habit. */
  kind: 'RFC requirement' | 'client quirk';
  why: string;
}

/** An assertion whose outcome is not judged at all (e.g. a response-time check). */
export interface IgnoredAssertion {
  item: string;
  assertion: string;
  why: string;
}

const keyOf = (x: { item: string; assertion: string }) => `${x.item} :: ${x.assertion}`;

/** Multiset difference of sorted key lists. */
function minus(a: string[], b: string[]): string[] {
  const left = [...b];
  return a.filter((k) => {
    const i = left.indexOf(k);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

/**
 * Compares a run with the allow-list: `unexpected` failures are new breakage,
 * `nowPassing` are allow-listed assertions that pass (the list is out of date),
 * `unknownIgnored` are ignore entries that match no assertion of the run.
 */
export function judge(run: CollectionRun, allowed: KnownDeviation[], ignored: IgnoredAssertion[]): { unexpected: string[]; nowPassing: string[]; unknownIgnored: string[] } {
  const ignoredKeys = new Set(ignored.map(keyOf));
  const judged = run.outcomes.filter((o) => !ignoredKeys.has(keyOf(o)));
  const failed = judged.filter((o) => !o.passed).map(keyOf).sort();
  const allowedKeys = allowed.map(keyOf).sort();
  const present = new Set(run.outcomes.map(keyOf));
  return { unexpected: minus(failed, allowedKeys), nowPassing: minus(allowedKeys, failed), unknownIgnored: [...ignoredKeys].filter((k) => !present.has(k)) };
}

/** The failure messages of the given keys, for assertion output. */
export function explain(run: CollectionRun, keys: string[]): string {
  return keys.map((k) => `${k}: ${run.outcomes.find((o) => keyOf(o) === k && !o.passed)?.message ?? 'passes'}`).join('\n');
}
