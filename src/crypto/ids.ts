import { randomBytes } from 'node:crypto';
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
/** 16 bytes = 128 bits for 20 base62 characters (about 119 bits): uniform output. */
const ID_RANDOM_BYTES = 16;

/** Ids are `<prefix>_<20 base62 chars>`; the prefix tells the type in logs and URLs. */
export const systemIds: IdSource = {
  id: (prefix) => `${prefix}_${toBase62(randomBytes(ID_RANDOM_BYTES), ID_RANDOM_CHARS)}`,
  bytes: (n) => randomBytes(n),
};
