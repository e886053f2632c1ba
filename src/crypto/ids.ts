import { randomBytes, randomFillSync } from 'node:crypto';
import type { IdSource } from '../core/types.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Encodes random bytes as exactly `length` base62 characters (the low digits of the
 * bytes read as one big number). Give it clearly more bits than the output holds
 * (62^length): the surplus keeps the digits uniform; with too few bytes the top
 * digit would be biased towards zero.
 */
export function toBase62(bytes: Uint8Array, length: number): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += BASE62[Number(n % 62n)];
    n /= 62n;
  }
  return out;
}

export const ID_RANDOM_CHARS = 20;

/**
 * Random bytes for ids, drawn from a pool refilled by the CSPRNG 4 KiB at a time:
 * a hub writing thousands of rows a second made one CSPRNG call (and one BigInt
 * conversion) per id its largest cost after SQLite. Ids are not secrets; tokens
 * and keys take their bytes straight from `bytes()`.
 */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function poolByte(): number {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  return pool[poolAt++] as number;
}

/**
 * `length` base62 characters, uniform: a byte below 248 (= 4 x 62) gives one
 * character (byte % 62), a byte above is skipped, so no character is favoured.
 */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const b = poolByte();
    if (b < 248) out += BASE62[b % 62];
  }
  return out;
}

/** Ids are `<prefix>_<20 base62 chars>` (about 119 random bits); the prefix tells the type in logs and URLs. */
export const systemIds: IdSource = {
  id: (prefix) => `${prefix}_${randomBase62(ID_RANDOM_CHARS)}`,
  bytes: (n) => randomBytes(n),
};
