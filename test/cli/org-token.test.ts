import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOrg, runCli, runJson, tempDb } from './helpers.js';

interface TokenJson {
  id: string;
  name: string;
  prefix: string;
  created: string;
  lastUsed: string | null;
  revoked: string | null;
}

describe('idsync org and token', () => {
  let db: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ db, cleanup } = await tempDb()));
  after(async () => cleanup());

  it('creates orgs, shows the token once, and lists them as JSON and text', async () => {
    const created = await runJson<{ org: { id: string; name: string }; token: { secret: string; prefix: string } }>(['org', 'create', 'acme', '--db', db]);
    assert.equal(created.org.name, 'acme');
    assert.match(created.org.id, /^org_/);
    assert.match(created.token.secret, /^ids_[0-9A-Za-z]{40}$/);
    assert.ok(created.token.secret.startsWith(`ids_${created.token.prefix}`));

    const text = await runCli(['org', 'create', 'globex', '--db', db]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /created org "globex" \(id org_\w+\)/);
    assert.match(text.stdout, /shown once.*ids_[0-9A-Za-z]{40}/);

    const orgs = await runJson<{ id: string; name: string; settings: Record<string, string> }[]>(['org', 'list', '--db', db]);
    assert.deepEqual(orgs.map((o) => o.name), ['acme', 'globex']);
    assert.equal(orgs[0]?.id, created.org.id);
    assert.equal(orgs[0]?.settings['scimDelete'], 'deprovision');

    const list = await runCli(['org', 'list', '--db', db]);
    assert.match(list.stdout, /^NAME\s+ID\s+CREATED$/m);
    assert.match(list.stdout, /^acme\s+org_/m);
  });

  it('refuses a second org with the same name (exit 1, JSON error on stdout)', async () => {
    const r = await runCli(['org', 'create', 'ACME', '--db', db, '--json']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, '');
    const body = JSON.parse(r.stdout) as { error: { code: string; message: string; causes: string[] } };
    assert.equal(body.error.code, 'ORG_NAME_TAKEN');
    assert.match(body.error.message, /already exists/);
    assert.deepEqual(body.error.causes, []);
  });

  it('creates, lists and revokes tokens, never listing a secret', async () => {
    const { secret: first } = await createOrg(db, 'tokens-org');
    const made = await runJson<{ token: TokenJson & { secret: string }; revoked: string[] }>(['token', 'create', '--org', 'tokens-org', '--name', 'ci', '--db', db]);
    assert.equal(made.token.name, 'ci');
    assert.deepEqual(made.revoked, []);

    const listed = await runJson<TokenJson[]>(['token', 'list', '--org', 'tokens-org', '--db', db]);
    assert.deepEqual(listed.map((t) => t.name), ['initial', 'ci']);
    for (const t of listed) {
      assert.deepEqual(Object.keys(t).sort(), ['created', 'id', 'lastUsed', 'name', 'prefix', 'revoked']);
      assert.equal(t.revoked, null);
    }
    const text = await runCli(['token', 'list', '--org', 'tokens-org', '--db', db]);
    assert.equal(text.code, 0);
    assert.ok(!text.stdout.includes(first) && !text.stdout.includes(made.token.secret), 'a listing must not show a secret');
    assert.match(text.stdout, /^ID\s+NAME\s+PREFIX\s+CREATED\s+LAST USED\s+REVOKED$/m);

    const revoke = await runCli(['token', 'revoke', made.token.id, '--db', db]);
    assert.equal(revoke.code, 0, revoke.stderr);
    assert.match(revoke.stdout, new RegExp(`token ${made.token.id} .* is revoked since \\d{4}-`));
    const afterRevoke = await runJson<TokenJson[]>(['token', 'list', '--org', 'tokens-org', '--db', db]);
    assert.notEqual(afterRevoke.find((t) => t.id === made.token.id)?.revoked, null);
    assert.equal(afterRevoke.find((t) => t.name === 'initial')?.revoked, null);
  });

  it('--replace revokes every older token and says how many', async () => {
    await createOrg(db, 'rotate-org');
    await runJson(['token', 'create', '--org', 'rotate-org', '--name', 'second', '--db', db]);
    const r = await runCli(['token', 'create', '--org', 'rotate-org', '--name', 'third', '--replace', '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /revoked 2 older tokens/);
    const tokens = await runJson<TokenJson[]>(['token', 'list', '--org', 'rotate-org', '--db', db]);
    assert.deepEqual(tokens.filter((t) => t.revoked === null).map((t) => t.name), ['third']);

    const again = await runJson<{ revoked: string[] }>(['token', 'create', '--org', 'rotate-org', '--replace', '--db', db]);
    assert.equal(again.revoked.length, 1);
  });

  it('an unknown token id is a not-found error naming the fix', async () => {
    const r = await runCli(['token', 'revoke', 'tok_nope', '--db', db]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: No API token with id tok_nope\. List tokens with `idsync token list --org NAME` or GET \/api\/admin\/v1\/tokens\.\n$/);
  });

  it('an unknown org names the org and the fix, in text and JSON', async () => {
    const text = await runCli(['token', 'list', '--org', 'initech', '--db', db]);
    assert.equal(text.code, 1);
    assert.equal(text.stdout, '');
    assert.match(text.stderr, /^error: No org named "initech"\./);
    assert.match(text.stderr, /idsync org list/);
    assert.match(text.stderr, /idsync org create initech/);
    assert.ok(!/\n\s+at /.test(text.stderr), 'no stack trace');

    const json = await runCli(['user', 'list', '--org', 'initech', '--json', '--db', db]);
    assert.equal(json.code, 1);
    const body = JSON.parse(json.stdout) as { error: { code: string; message: string; causes: string[] } };
    assert.deepEqual(Object.keys(body.error).sort(), ['causes', 'code', 'message']);
    assert.equal(body.error.code, 'ORG_NOT_FOUND');
    assert.match(body.error.message, /"initech"/);
  });

  it('usage errors exit 2 and point at the help of the command used', async () => {
    const missing = await runCli(['token', 'create', '--db', db]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^error: Required option '--org <name>' not specified\n {2}see `idsync token create --help`\n$/);

    const typo = await runCli(['org', 'lst', '--db', db]);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /Did you mean list\?/);

    const json = await runCli(['org', 'settings', '--org', 'acme', '--username-rule', 'nope', '--json', '--db', db]);
    assert.equal(json.code, 2);
    const body = JSON.parse(json.stdout) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'CLI_USAGE');
    assert.match(body.error.message, /Allowed choices are any, email, unix/);

    const group = await runCli(['org', '--db', db]);
    assert.equal(group.code, 2);
  });

  it('shows and changes org settings', async () => {
    const shown = await runCli(['org', 'settings', '--org', 'acme', '--db', db]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /scimDeactivate\s+suspend/);
    const changed = await runJson<{ settings: Record<string, string> }>([
      'org', 'settings', '--org', 'acme', '--scim-deactivate', 'deactivate', '--scim-delete', 'delete', '--username-rule', 'email', '--db', db,
    ]);
    assert.deepEqual(changed.settings, { scimDeactivate: 'deactivate', scimDelete: 'delete', usernameRule: 'email' });
    const again = await runJson<{ settings: Record<string, string> }>(['org', 'settings', '--org', 'acme', '--db', db]);
    assert.deepEqual(again.settings, changed.settings);
  });
});
