/** The pure JWK and DPoP helpers: what makes a JWK a usable public key, and the htu form of a URL. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { htuOf } from '../../src/crypto/dpop.js';
import { accessTokenHash, hasPrivateMaterial, publicJwkProblem } from '../../src/crypto/jwt.js';
import { hasScope, parseScopeParam } from '../../src/services/oauth/scopes.js';

const n2048 = Buffer.alloc(256, 0xab).toString('base64url');

test('publicJwkProblem: public signing keys pass, everything else is named', () => {
  const cases: [unknown, RegExp | null][] = [
    [{ kty: 'RSA', n: n2048, e: 'AQAB' }, null],
    [{ kty: 'RSA', n: n2048, e: 'AQAB', kid: 'k', alg: 'PS256', use: 'sig' }, null],
    [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }, null],
    [{ kty: 'OKP', crv: 'Ed25519', x: 'a' }, null],
    [{ kty: 'RSA', n: n2048, e: 'AQAB', d: 'x' }, /private key material \("d"\)/],
    [{ kty: 'RSA', n: n2048, e: 'AQAB', p: 'x', q: 'y' }, /"p", "q"/],
    [{ kty: 'oct', k: 'c2VjcmV0' }, /symmetric/],
    [{ kty: 'EC', crv: 'secp256k1', x: 'a', y: 'b' }, /crv/],
    [{ kty: 'OKP', crv: 'X25519', x: 'a' }, /crv/],
    [{ kty: 'RSA', n: Buffer.alloc(128, 1).toString('base64url'), e: 'AQAB' }, /1024 bits/],
    [{ kty: 'RSA', n: 'not base64url!', e: 'AQAB' }, /"n" and "e"/],
    [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', use: 'enc' }, /use/],
    [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', alg: 'none' }, /alg/],
    [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', kid: '' }, /kid/],
    [{ kty: 'XYZ' }, /kty/],
    ['a string', /JSON object/],
    [null, /JSON object/],
    [[1], /JSON object/],
  ];
  for (const [jwk, expected] of cases) {
    const problem = publicJwkProblem(jwk);
    if (expected === null) assert.equal(problem, null, JSON.stringify(jwk));
    else assert.match(problem ?? '', expected, JSON.stringify(jwk));
  }
  assert.equal(hasPrivateMaterial({ kty: 'EC', d: 'x' }), true);
  assert.equal(hasPrivateMaterial({ kty: 'EC', x: 'x' }), false);
});

test('htuOf: scheme and host normalised, default port, query and fragment dropped', () => {
  assert.equal(htuOf('HTTPS://Example.COM:443/oauth2/v1/token?x=1#f'), 'https://example.com/oauth2/v1/token');
  assert.equal(htuOf('http://127.0.0.1:8080/api/v1/users?limit=2'), 'http://127.0.0.1:8080/api/v1/users');
  assert.equal(htuOf('http://127.0.0.1:80/a'), 'http://127.0.0.1/a');
  assert.equal(htuOf('ftp://example.com/a'), null);
  assert.equal(htuOf('/relative'), null);
});

test('ath is base64url(SHA-256) of the token (RFC 9449 section 7.1 example)', () => {
  // The example token and ath from RFC 9449 section 7.1.
  assert.equal(accessTokenHash('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU'), 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo');
});

test('scopes: parsing the parameter and .manage implying .read', () => {
  assert.deepEqual(parseScopeParam(' okta.users.read  okta.users.read okta.groups.manage '), ['okta.users.read', 'okta.groups.manage']);
  assert.ok(hasScope(['okta.users.manage'], 'okta.users.read'));
  assert.ok(!hasScope(['okta.users.read'], 'okta.users.manage'));
  assert.ok(!hasScope(['okta.groups.manage'], 'okta.users.read'));
});
