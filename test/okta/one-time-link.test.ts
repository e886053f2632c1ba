/**
 * reset_password and activate with sendEmail=false return a link that works once,
 * expires, belongs to one org and user, and is stored nowhere.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isIdsyncError } from '../../src/core/errors.js';
import { OktaLifecycle } from '../../src/services/okta/lifecycle.js';
import { OktaUsers } from '../../src/services/okta/users.js';
import { startOktaHub, strongPassword, type Json, type OktaHub, type OktaOrg } from './helpers.js';

const tokenOf = (url: string): string => decodeURIComponent(url.slice(url.lastIndexOf('/') + 1));

function isLinkRefusal(e: unknown): boolean {
  return isIdsyncError(e) && e.code === 'OKTA_LINK_INVALID' && /invalid, expired or already used/.test(e.message);
}

describe('one-time links', () => {
  let hub: OktaHub;
  let acme: OktaOrg;
  let beta: OktaOrg;
  const lifecycle = (o: OktaOrg) => new OktaLifecycle(hub.app.ctx, new OktaUsers(hub.app.ctx, o.org));

  async function userInRecovery(login: string): Promise<{ user: Json; token: string }> {
    const user = (await acme.api('POST', '/users', { profile: { login }, credentials: { password: { value: strongPassword() } } })).body;
    const res = await acme.api('POST', `/users/${user.id}/lifecycle/reset_password?sendEmail=false`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body), ['resetPasswordUrl']);
    assert.match(res.body.resetPasswordUrl, new RegExp(`^${hub.url}/reset_password/`));
    return { user, token: tokenOf(res.body.resetPasswordUrl) };
  }

  before(async () => {
    hub = await startOktaHub({ orgs: ['acme', 'beta'] });
    acme = hub.org('acme');
    beta = hub.org('beta');
  });
  after(async () => hub.close());

  it('sets a new password once; the second use is refused', async () => {
    const { user, token } = await userInRecovery('r1@example.com');
    assert.equal((await acme.api('GET', `/users/${user.id}`)).body.status, 'RECOVERY');
    const done = await lifecycle(acme).completeReset(token, strongPassword(), 'test');
    assert.equal(done.status, 'ACTIVE');
    await assert.rejects(lifecycle(acme).completeReset(token, strongPassword(), 'test'), isLinkRefusal);
  });

  it('expires after an hour', async () => {
    const { token } = await userInRecovery('r2@example.com');
    hub.advance(61 * 60_000);
    await assert.rejects(lifecycle(acme).completeReset(token, strongPassword(), 'test'), isLinkRefusal);
  });

  it('belongs to its org, and any change to the user voids it', async () => {
    const { user, token } = await userInRecovery('r3@example.com');
    await assert.rejects(lifecycle(beta).completeReset(token, strongPassword(), 'test'), isLinkRefusal);
    await acme.api('POST', `/users/${user.id}`, { profile: { title: 'changed' } });
    await assert.rejects(lifecycle(acme).completeReset(token, strongPassword(), 'test'), isLinkRefusal);
  });

  it('a tampered or foreign token is refused the same way', async () => {
    const { token } = await userInRecovery('r4@example.com');
    const tampered = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    await assert.rejects(lifecycle(acme).completeReset(tampered, strongPassword(), 'test'), isLinkRefusal);
    await assert.rejects(lifecycle(acme).completeReset('not-a-token', strongPassword(), 'test'), isLinkRefusal);
  });

  it('the token is not in the database', async () => {
    const { token } = await userInRecovery('r5@example.com');
    assert.equal((await hub.dbBytes()).indexOf(Buffer.from(token)), -1);
  });

  it('sendEmail=true answers {} (the hub sends no email); activation with sendEmail=false returns the link', async () => {
    const u = (await acme.api('POST', '/users', { profile: { login: 'r6@example.com' }, credentials: { password: { value: strongPassword() } } })).body;
    const reset = await acme.api('POST', `/users/${u.id}/lifecycle/reset_password?sendEmail=true`);
    assert.deepEqual(reset.body, {});
    const staged = (await acme.api('POST', '/users?activate=false', { profile: { login: 'r7@example.com' } })).body;
    const act = await acme.api('POST', `/users/${staged.id}/lifecycle/activate?sendEmail=false`);
    assert.equal(act.status, 200, act.text);
    assert.equal(act.body.activationUrl, `${hub.url}/welcome/${act.body.activationToken}`);
    assert.equal((await acme.api('GET', `/users/${staged.id}`)).body.status, 'PROVISIONED');
  });
});
