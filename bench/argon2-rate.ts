/**
 * Raw argon2id rate in a process of its own, under the server's conditions
 * (same Node, same flags and environment, so the same libuv thread pool): keeps
 * `--concurrency` hashPassword calls in flight for `--duration` seconds and
 * prints `{"hashes":..,"seconds":..,"hashesPerSecond":..}` as one stdout line.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { hashPassword } from '../src/crypto/password-hash.js';

export interface Argon2Rate {
  hashes: number;
  seconds: number;
  hashesPerSecond: number;
  concurrency: number;
}

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, concurrency: { type: 'string', default: '8' } } });
const seconds = Number(values.duration);
const concurrency = Number(values.concurrency);

const password = (): string => `Aa1-${randomBytes(9).toString('base64url')}xyz`;

await hashPassword(password()); // load the native module and touch the allocator before timing
const start = performance.now();
const end = start + seconds * 1000;
let hashes = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      await hashPassword(password());
      hashes++;
    }
  }),
);
const elapsed = (performance.now() - start) / 1000;
const rate: Argon2Rate = { hashes, seconds: Math.round(elapsed * 100) / 100, hashesPerSecond: Math.round((hashes / elapsed) * 10) / 10, concurrency };
process.stdout.write(`${JSON.stringify(rate)}\n`);
