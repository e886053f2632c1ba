/**
 * Raw argon2id rate in a process of its own, under the server's conditions
 * (same Node, same flags and environment, so the same libuv thread pool): keeps
 * `--concurrency` hashPassword calls in flight for `--duration` seconds and
 * prints its figures (rate, and CPU per hash, which other load on the machine
 * skews less than the rate) as one JSON line on stdout.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { hashPassword } from '../src/crypto/password-hash.js';

export interface Argon2Rate {
  hashes: number;
  seconds: number;
  hashesPerSecond: number;
  concurrency: number;
  /** CPU time (user + system, all threads) per hash, and CPU over wall time (2 = two cores busy). */
  cpuMsPerHash: number;
  cores: number;
}

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, concurrency: { type: 'string', default: '8' } } });
const seconds = Number(values.duration);
const concurrency = Number(values.concurrency);

const password = (): string => `Aa1-${randomBytes(9).toString('base64url')}xyz`;

await hashPassword(password()); // load the native module and touch the allocator before timing
const cpuBefore = process.cpuUsage();
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
const cpu = process.cpuUsage(cpuBefore);
const cpuMs = (cpu.user + cpu.system) / 1000;
const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
const rate: Argon2Rate = {
  hashes,
  seconds: round(elapsed, 2),
  hashesPerSecond: round(hashes / elapsed, 1),
  concurrency,
  cpuMsPerHash: round(cpuMs / Math.max(1, hashes), 2),
  cores: round(cpuMs / 1000 / elapsed, 2),
};
process.stdout.write(`${JSON.stringify(rate)}\n`);
