/** Edge cases found in review: each test failed before its fix. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, PATCH_OP, USER, type Hub } from '../helpers/hub.js';

describe('SCIM edge cases', () => {
  let hub: Hub;
  before(async () => {
    hub = await startHub();
  });
  after(async () => {
    await hub.close();
  });

  test('an IdP repeating the same password push succeeds without a second change; an older password is still refused', async () => {
    const created = await hub.scim('POST', '/Users', { schemas: [USER], userName: 'repeat@example.com', password: 'First-Pass-4410' });
    assert.equal(created.status, 201);
    const id = created.body.id;
    const set = (pw: string) => hub.scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: pw }] });
    assert.equal((await set('Second-Pass-5521')).status, 200);
    const version = (await hub.scim('GET', `/Users/${id}`)).body.meta.version;
    const again = await set('Second-Pass-5521');
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.meta.version, version, 'a repeated push changes nothing');
    const old = await set('First-Pass-4410');
    assert.equal(old.status, 400);
    assert.equal(old.body.scimType, 'invalidValue');
    assert.match(old.body.detail, /last 4 passwords/);
  });

  test('two primary emails in a POST are refused (RFC 7643 2.4)', async () => {
    const r = await hub.scim('POST', '/Users', {
      schemas: [USER],
      userName: 'two@example.com',
      emails: [
        { value: 'a@example.com', primary: true },
        { value: 'b@example.com', primary: true },
      ],
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.scimType, 'invalidValue');
    assert.match(r.body.detail, /primary/);
  });

  test('a malformed URL gets a SCIM error body, not the framework default', async () => {
    const r = await hub.scim('GET', '/Users/%zz');
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
    assert.equal(r.body.scimType, 'invalidSyntax');
  });

  test('a 413 carries no scimType (RFC 7644 3.12 defines them for 400)', async () => {
    const small = await startHub({ bodyLimit: 1024 });
    try {
      const r = await small.scim('POST', '/Users', { schemas: [USER], userName: 'big@example.com', title: 'x'.repeat(5000) });
      assert.equal(r.status, 413);
      assert.equal(r.body.scimType, undefined);
    } finally {
      await small.close();
    }
  });
});
