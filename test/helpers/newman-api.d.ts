/** The part of newman's Node API the conformance tests use (newman ships no types). */
declare module 'newman' {
  import type { EventEmitter } from 'node:events';

  export interface NewmanRunOptions {
    collection: object | string;
    envVar?: { key: string; value: string }[];
    folder?: string | string[];
    reporters?: string | string[];
    timeoutRequest?: number;
    timeout?: number;
    [option: string]: unknown;
  }

  export interface NewmanAssertionArgs {
    assertion: string;
    skipped?: boolean;
    error?: { name?: string; message?: string };
    item: { name: string };
  }

  export interface NewmanSummary {
    run: { stats: Record<string, { total: number; failed: number; pending?: number }>; failures: unknown[] };
    error?: unknown;
  }

  export function run(options: NewmanRunOptions, callback?: (err: Error | null, summary: NewmanSummary) => void): EventEmitter;

  const newman: { run: typeof run };
  export default newman;
}
