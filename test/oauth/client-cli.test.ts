/**
 * `idsync client ...`: service apps from the command line (the real CLI as a
 * child process on a temporary database): create with a JWKS file or a JWKS URL,
 * grant and revoke scopes, deactivate, activate, delete; refusals name the fix.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, runJson, tempDb } from '../cli/helpers.js';
import { keyPair, type KeyPair } from './helpers.js';

interface ClientJson {
  id: string;
  name: string;
  status: string;
  scopes: string[];
  jwks: { keys: { kid: string }[] } | null;
  jwksUri: string | null;
  dpopBound: boolean;
}

describe('idsync client', () => {
  let tmp: Awaited<ReturnType<typeof tempDb>>;
  let key: KeyPair;
  let jwksFile = '';
  const org = (args: string[]) => [...args, '--org', 'acme', '--db', tmp.db];

  before(async () => {
    tmp = await tempDb();
    key = await keyPair('ES256');
    jwksFile = path.join(path.dirname(tmp.db), 'keys.json');
    await writeFile(jwksFile, JSON.stringify({ keys: [key.publicJwk] }));
    const made = await runCli(['org', 'create', 'acme', '--db', tmp.db]);
    assert.equal(made.code, 0, made.stderr);
  });
  after(async () => tmp.cleanup());

  it('creates a service app from a JWKS file with scopes, and says how to get tokens', async () => {
    const r = await runCli(org(['client', 'create', '--name', 'Sync bot', '--jwks', jwksFile, '--scope', 'okta.users.read', '--scope', 'okta.groups.manage']));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^created service app "Sync bot": client_id oac_\S+/);
    assert.match(r.stdout, /scopes\s+okta\.users\.read okta\.groups\.manage/);
    assert.match(r.stdout, /dpop\s+required/);
    assert.match(r.stdout, /get tokens at \/oauth2\/v1\/token with grant_type=client_credentials and a private_key_jwt assertion \(iss = sub = oac_\S+\) and a DPoP proof/);
    const c = await runJson<ClientJson>(org(['client', 'get', 'sync bot']));
    assert.equal(c.jwks?.keys[0]?.kid, key.kid);
    assert.equal(c.status, 'ACTIVE');
  });

  it('creates one by JWKS URL without scopes, then grants and revokes them', async () => {
    const c = await runJson<ClientJson>(org(['client', 'create', '--name', 'Rotating', '--jwks-uri', 'https://source.example.com/jwks', '--no-dpop']));
    assert.deepEqual(c.scopes, []);
    assert.equal(c.jwksUri, 'https://source.example.com/jwks');
    assert.equal(c.dpopBound, false);
    const granted = await runCli(org(['client', 'grant', c.id, '--scope', 'okta.users.manage', '--scope', 'okta.policies.read']));
    assert.equal(granted.code, 0, granted.stderr);
    assert.match(granted.stdout, /granted okta\.users\.manage okta\.policies\.read to service app "Rotating"/);
    const again = await runCli(org(['client', 'grant', 'Rotating', '--scope', 'okta.users.manage']));
    assert.match(again.stdout, /^already granted/);
    const revoked = await runJson<ClientJson>(org(['client', 'revoke', 'Rotating', '--scope', 'okta.policies.read']));
    assert.deepEqual(revoked.scopes, ['okta.users.manage']);
    const notGranted = await runCli(org(['client', 'revoke', 'Rotating', '--scope', 'okta.logs.read']));
    assert.equal(notGranted.code, 1);
    assert.match(notGranted.stderr, /has no grant of "okta\.logs\.read"; its grants: okta\.users\.manage/);
    const list = await runCli(org(['client', 'list']));
    assert.match(list.stdout, /NAME\s+CLIENT ID\s+STATUS/);
    assert.match(list.stdout, /Rotating\s+oac_\S+\s+ACTIVE\s+https:\/\/source\.example\.com\/jwks\s+no\s+okta\.users\.manage/);
  });

  it('deletes only after deactivation; activation brings it back', async () => {
    const active = await runCli(org(['client', 'delete', 'Rotating']));
    assert.equal(active.code, 1);
    assert.match(active.stderr, /is ACTIVE: deactivate it first \(`idsync client deactivate oac_\S+ --org acme`\)/);
    assert.match((await runCli(org(['client', 'deactivate', 'Rotating']))).stdout, /is INACTIVE: it gets no tokens, and its tokens stop working at once/);
    assert.match((await runCli(org(['client', 'activate', 'Rotating']))).stdout, /is ACTIVE/);
    await runCli(org(['client', 'deactivate', 'Rotating']));
    const deleted = await runCli(org(['client', 'delete', 'Rotating']));
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /^deleted service app "Rotating"/);
    assert.match((await runCli(org(['client', 'get', 'Rotating']))).stderr, /No service app with id or name "Rotating" in org "acme"/);
  });

  it('refuses bad input naming the fix', async () => {
    const both = await runCli(org(['client', 'create', '--name', 'x', '--jwks', jwksFile, '--jwks-uri', 'https://a.example.com/j']));
    assert.equal(both.code, 2);
    assert.match(both.stderr, /exactly one way: --jwks FILE or --jwks-uri URL/);
    const scope = await runCli(org(['client', 'create', '--name', 'x', '--jwks', jwksFile, '--scope', 'okta.everything']));
    assert.equal(scope.code, 1);
    assert.match(scope.stderr, /Unknown scope "okta\.everything"/);
    const insecure = await runCli(org(['client', 'create', '--name', 'x', '--jwks-uri', 'http://keys.example.com/jwks']));
    assert.match(insecure.stderr, /must use https/);
    const priv = path.join(path.dirname(tmp.db), 'private.json');
    await writeFile(priv, JSON.stringify(key.privateJwk));
    const leaked = await runCli(org(['client', 'create', '--name', 'x', '--jwks', priv]));
    assert.equal(leaked.code, 1);
    assert.match(leaked.stderr, /private key material/);
    const noScope = await runCli(org(['client', 'grant', 'Sync bot']));
    assert.equal(noScope.code, 2);
    assert.match(noScope.stderr, /Missing --scope/);
  });
});
