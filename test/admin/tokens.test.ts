/**
 * The admin API's token routes against a real hub: list, create (the secret
 * once, in the response only), revoke (refused at once), another org's token
 * not found, and every malformed body refused with a field-naming 400.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, type Hub, type HubOrg, type Json } from '../helpers/hub.js';
import { adminClient, assertAdminError, type AdminClient } from './helpers.js';

describe('admin API: tokens', () => {
  let hub: Hub;
  let acme: HubOrg;
  let api: AdminClient;
  let otherApi: AdminClient;
  const seen: string[] = [];

  const scimStatus = async (secret: string): Promise<number> => {
    const res = await fetch(`${hub.url}/scim/v2/Users?count=1`, { headers: { authorization: `Bearer ${secret}` } });
    await res.arrayBuffer();
    return res.status;
  };

  before(async () => {
    hub = await startHub({ orgs: ['acme', 'other'] });
    acme = hub.org('acme');
    api = adminClient(hub, acme, seen);
    otherApi = adminClient(hub, hub.org('other'), seen);
  });
  after(async () => hub.close());

  it('creates a token whose secret works at once and is shown only in the create response', async () => {
    const created = await api.call('POST', '/tokens', { name: 'okta-provisioning' });
    assert.equal(created.status, 201, created.text);
    const { token, secret } = created.body as { token: Json; secret: string };
    assert.match(secret, /^ids_[0-9A-Za-z]{40}$/);
    assert.match(token.id, /^tok_/);
    assert.equal(token.name, 'okta-provisioning');
    assert.equal(token.revoked, null);
    assert.ok(secret.slice('ids_'.length).startsWith(token.prefix), 'the prefix recognises the token in lists');
    assert.equal(await scimStatus(secret), 200);

    const list = await api.call('GET', '/tokens');
    assert.equal(list.status, 200);
    const names = (list.body.tokens as Json[]).map((t) => t.name);
    assert.ok(names.includes('okta-provisioning'), JSON.stringify(names));
    assert.ok(!list.text.includes(secret), 'a list never carries a secret');
    assert.ok(!list.text.includes('tokenHash') && !list.text.includes('token_hash'));
    assert.equal(seen.filter((t) => t.includes(secret)).length, 1, 'the secret appeared in one response: the create');
  });

  it('revokes a token of the org: it is refused on the next request; revoking again is harmless', async () => {
    const { body } = await api.call('POST', '/tokens', { name: 'short-lived' });
    assert.equal(await scimStatus(body.secret), 200);
    const revoked = await api.call('POST', `/tokens/${body.token.id}/revoke`);
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal(revoked.body.id, body.token.id);
    assert.notEqual(revoked.body.revoked, null);
    assert.equal(await scimStatus(body.secret), 401);
    assert.equal((await api.call('POST', `/tokens/${body.token.id}/revoke`)).status, 200);
  });

  it('with replace, the new token is the only valid one of the org', async () => {
    const older = (await api.call('POST', '/tokens', { name: 'older' })).body.secret as string;
    const created = await api.call('POST', '/tokens', { name: 'rotated', replace: true });
    assert.equal(created.status, 201);
    assert.equal(await scimStatus(older), 401);
    assert.equal(await scimStatus(acme.token), 401, 'the token that asked is replaced too');
    assert.equal(await scimStatus(created.body.secret), 200);
    acme.token = created.body.secret;
  });

  it('another org cannot see or revoke the tokens of this org', async () => {
    const mine = (await api.call('GET', '/tokens')).body.tokens as Json[];
    const theirs = (await otherApi.call('GET', '/tokens')).body.tokens as Json[];
    assert.ok(theirs.every((t) => !mine.some((m) => m.id === t.id)));
    const target = mine.find((t) => t.revoked === null);
    assert.ok(target);
    assertAdminError(await otherApi.call('POST', `/tokens/${target.id}/revoke`), 404, 'TOKEN_NOT_FOUND');
    assertAdminError(await api.call('POST', '/tokens/tok_nope/revoke'), 404, 'TOKEN_NOT_FOUND');
  });

  it('lists tokens oldest first a page at a time; every token once, across tokens made between pages', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await api.call('POST', '/tokens', { name: `paged-${i}` })).status, 201);
    const all = (await api.call('GET', '/tokens?limit=1000')).body;
    assert.equal(all.next, null, 'one page holds them all');
    const expected = (all.tokens as Json[]).map((t) => t.id as string);
    assert.ok(expected.length >= 7);
    const created = (all.tokens as Json[]).map((t) => t.created as string);
    assert.deepEqual(created, [...created].sort(), 'oldest first');

    const walked: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const res = await api.call('GET', `/tokens?limit=2${after === null ? '' : `&after=${encodeURIComponent(after)}`}`);
      assert.equal(res.status, 200, res.text);
      assert.ok((res.body.tokens as Json[]).length <= 2);
      walked.push(...(res.body.tokens as Json[]).map((t) => t.id as string));
      after = res.body.next as string | null;
      // A token made mid-walk comes last, so the walk meets it once.
      if (pages++ === 0) expected.push(((await api.call('POST', '/tokens', { name: 'made-mid-walk' })).body.token as Json).id as string);
    } while (after !== null);
    assert.deepEqual(walked, expected);
    assert.equal(pages, Math.ceil(expected.length / 2));
  });

  it('refuses a bad limit or cursor with a 400 that says what to send', async () => {
    for (const limit of ['0', '1001', 'ten', '-1']) assertAdminError(await api.call('GET', `/tokens?limit=${limit}`), 400, 'PAGE_INVALID_LIMIT');
    for (const after of ['nope', Buffer.from('["x"]').toString('base64url'), Buffer.from('[1,2]').toString('base64url')]) {
      assertAdminError(await api.call('GET', `/tokens?after=${after}`), 400, 'PAGE_INVALID_CURSOR', /"next" value of the previous page/);
    }
  });

  it('refuses malformed bodies with the field named, and stores nothing', async () => {
    const before = (await api.call('GET', '/tokens')).body.tokens.length;
    for (const [body, pattern] of [
      [{}, /"name"/],
      [{ name: '' }, /"name"/],
      [{ name: 'x'.repeat(101) }, /at most 100/],
      [{ name: 'ok', replace: 'yes' }, /"replace"/],
      [{ name: 'ok', scope: 'all' }, /"scope" is not known/],
      [[1, 2], /JSON object/],
    ] as const) {
      assertAdminError(await api.call('POST', '/tokens', body), 400, 'ADMIN_INVALID_BODY', pattern);
    }
    assertAdminError(await api.call('POST', '/tokens', '{"name":'), 400, 'ADMIN_INVALID_JSON');
    assert.equal((await api.call('GET', '/tokens')).body.tokens.length, before);
  });
});
