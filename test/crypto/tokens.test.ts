import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { IdSource } from '../../src/core/types.js';
import { ID_RANDOM_CHARS, systemIds, toBase62 } from '../../src/crypto/ids.js';
import { constantTimeEqual, generateApiToken, hashApiToken, isApiTokenFormat } from '../../src/crypto/tokens.js';

/** Deterministic bytes, so a token's shape and hash can be pinned. */
const fixedBytes = (fill: number): IdSource => ({
  id: (prefix) => `${prefix}_fixed`,
  bytes: (n) => Buffer.alloc(n, fill),
});

describe('API tokens', () => {
  it('is ids_ + 40 base62 characters, with its prefix and hash', () => {
    const { token, prefix, hash } = generateApiToken(systemIds);
    assert.match(token, /^ids_[0-9A-Za-z]{40}$/);
    assert.equal(prefix, token.slice(4, 12));
    assert.equal(hash, createHash('sha256').update(token).digest('hex'));
    assert.equal(hashApiToken(token), hash);
    assert.equal(isApiTokenFormat(token), true);
  });

  it('draws from the id source', () => {
    const a = generateApiToken(fixedBytes(7));
    assert.deepEqual(generateApiToken(fixedBytes(7)), a);
    assert.notEqual(generateApiToken(fixedBytes(8)).token, a.token);
  });

  it('does not repeat', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => generateApiToken(systemIds).token));
    assert.equal(tokens.size, 1000);
  });

  it('spreads characters evenly over the alphabet', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      for (const c of generateApiToken(systemIds).token.slice(4)) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    assert.equal(counts.size, 62);
    const expected = (2000 * 40) / 62;
    for (const [c, n] of counts) assert.ok(Math.abs(n - expected) < expected * 0.25, `${c}: ${n}`);
  });

  const formats: [string, boolean][] = [
    ['ids_' + 'a'.repeat(40), true],
    ['ids_' + 'a'.repeat(39), false],
    ['ids_' + 'a'.repeat(41), false],
    ['IDS_' + 'a'.repeat(40), false],
    ['ids_' + 'a'.repeat(39) + '-', false],
    ['Bearer ids_' + 'a'.repeat(40), false],
  ];
  for (const [value, ok] of formats) {
    it(`format check: ${value.slice(0, 16)}... (${value.length}) -> ${ok}`, () => assert.equal(isApiTokenFormat(value), ok));
  }
});

describe('constantTimeEqual', () => {
  const cases: [string, string, boolean][] = [
    ['secret', 'secret', true],
    ['', '', true],
    ['secret', 'secreT', false],
    ['secret', 'secret1', false],
    ['', 'x', false],
    ['é', 'e\u0301', false],
  ];
  for (const [a, b, equal] of cases) {
    it(`${JSON.stringify(a)} vs ${JSON.stringify(b)} -> ${equal}`, () => assert.equal(constantTimeEqual(a, b), equal));
  }
});

describe('ids', () => {
  it('are the prefix, an underscore and 20 base62 characters', () => {
    const id = systemIds.id('usr');
    assert.match(id, new RegExp(`^usr_[0-9A-Za-z]{${ID_RANDOM_CHARS}}$`));
    assert.notEqual(systemIds.id('usr'), id);
  });

  it('gives the bytes asked for', () => assert.equal(systemIds.bytes(17).length, 17));

  it('do not repeat across pool refills, and spread characters evenly', () => {
    // 10,000 ids draw about 200 KiB from the 4 KiB pool: many refills.
    const ids = Array.from({ length: 10_000 }, () => systemIds.id('evt'));
    assert.equal(new Set(ids).size, ids.length);
    const counts = new Map<string, number>();
    for (const id of ids) for (const c of id.slice(4)) counts.set(c, (counts.get(c) ?? 0) + 1);
    assert.equal(counts.size, 62);
    const expected = (ids.length * ID_RANDOM_CHARS) / 62;
    // About 3,226 per character, standard deviation about 56: 10% is over 5 deviations.
    for (const [c, n] of counts) assert.ok(Math.abs(n - expected) < expected * 0.1, `${c}: ${n}`);
  });

  it('encodes base62 with fixed length', () => {
    assert.equal(toBase62(Buffer.from([0]), 3), '000');
    assert.equal(toBase62(Buffer.from([61]), 2), 'z0');
    assert.equal(toBase62(Buffer.from([62]), 2), '01');
  });
});
