/**
 * `idsync app rotate-key`: a hub app with OAuth gets a new current key, the old one
 * stays published (the output says until when and why), the JWKS endpoint serves
 * both, and apps without keys are refused with the reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApp } from '../../src/app.js';
import { OrgService } from '../../src/services/orgs.js';
import { AppService } from '../../src/services/provisioning/apps.js';
import { appJwks } from '../../src/services/provisioning/hub-keys.js';
import { runCli, tempDb } from '../cli/helpers.js';

describe('idsync app rotate-key', () => {
  let tmp: Awaited<ReturnType<typeof tempDb>>;
  let orgId = '';
  let firstKid = '';

  before(async () => {
    tmp = await tempDb();
    const app = await openApp({ db: tmp.db });
    const { org } = await new OrgService(app.ctx).create('acme', 'test');
    orgId = org.id;
    const apps = new AppService(app.ctx, org);
    const hq = await apps.create({ name: 'HQ', kind: 'hub', baseUrl: 'https://hq.example.com', auth: { type: 'oauth2', clientId: 'oac_x', overlapHours: 12 } }, 'test');
    firstKid = hq.connection.keys?.[0]?.kid ?? '';
    assert.ok(firstKid, 'a hub app with OAuth is created with its first key');
    await apps.create({ name: 'Token', kind: 'hub', baseUrl: 'https://hq.example.com', auth: { type: 'bearer' }, token: 'ssws-token' }, 'test');
    await app.close();
  });
  after(async () => tmp.cleanup());

  it('makes a new current key and explains the overlap', async () => {
    const r = await runCli(['app', 'rotate-key', 'HQ', '--org', 'acme', '--db', tmp.db]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^rotated the signing key of app "HQ" \(app_[^)]+\): key \S+ signs its client assertions from now on/);
    assert.match(r.stdout, new RegExp(`published \\(public halves\\) at /oauth2/v1/orgs/${orgId}/apps/app_\\S+/jwks on this hub:`));
    assert.match(r.stdout, new RegExp(`${firstKid}\\s+retired\\s+\\S+\\s+\\d{4}-\\d\\d-\\d\\dT`));
    assert.match(r.stdout, /current\s+\S+\s+next rotation/);
    assert.match(r.stdout, /stays published for 12 h after retirement/);
    assert.match(r.stdout, /the target fetches the new key from the JWKS URL/);
  });

  it('prints the keys as JSON, and the JWKS publishes every live key', async () => {
    const r = await runCli(['app', 'rotate-key', 'HQ', '--org', 'acme', '--db', tmp.db, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.overlapHours, 12);
    assert.equal(out.keys.length, 3, 'two retired keys inside the overlap and the new one');
    assert.deepEqual(out.keys.map((k: { state: string }) => k.state), ['retired', 'retired', 'current']);
    assert.equal(out.keys[0].kid, firstKid);
    assert.equal(out.currentKid, out.keys[2].kid);
    const retiredAt = Date.parse(out.keys[0].retired);
    assert.equal(Date.parse(out.keys[0].publishedUntil) - retiredAt, 12 * 3600_000);
    const app = await openApp({ db: tmp.db });
    try {
      const record = await new AppService(app.ctx, (await new OrgService(app.ctx).require('acme'))).require('HQ');
      const published = appJwks(record, new Date()).keys.map((k) => k['kid']);
      assert.deepEqual(published, out.keys.map((k: { kid: string }) => k.kid));
      assert.equal(JSON.stringify(published).includes('"d"'), false);
      // Past the overlap only the current key is left.
      assert.deepEqual(appJwks(record, new Date(Date.now() + 13 * 3600_000)).keys.map((k) => k['kid']), [out.currentKid]);
    } finally {
      await app.close();
    }
  });

  it('refuses an app that holds no keys, saying which apps do', async () => {
    const r = await runCli(['app', 'rotate-key', 'Token', '--org', 'acme', '--db', tmp.db]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: App "Token" authenticates with an API token \(SSWS\) and holds no signing keys: only hub apps with OAuth auth/);
    const missing = await runCli(['app', 'rotate-key', 'Nope', '--org', 'acme', '--db', tmp.db]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No app "Nope"/);
  });
});
