import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOrg, runCli, runJson, tempDb } from './helpers.js';

interface UserJson {
  id: string;
  status: string;
  profile: Record<string, unknown>;
  hasPassword: boolean;
  passwordChanged: string | null;
  [key: string]: unknown;
}

const PASSWORD = 'Velvet-Otter-Harbor-73';

describe('idsync user', () => {
  let db: string;
  let cleanup: () => Promise<void>;
  const org = (...args: string[]): string[] => [...args, '--org', 'acme', '--db', db];

  before(async () => {
    ({ db, cleanup } = await tempDb());
    await createOrg(db, 'acme');
  });
  after(async () => cleanup());

  it('creates a user with a password from stdin and shows it without the hash', async () => {
    const u = await runJson<UserJson>(
      org('user', 'create', '--login', 'jdoe', '--email', 'jdoe@example.com', '--first-name', 'Jane', '--last-name', 'Doe', '--set', 'department=Finance', '--set', 'costCenter=42', '--password-stdin'),
      { input: `${PASSWORD}\n` },
    );
    assert.equal(u.status, 'ACTIVE');
    assert.equal(u.hasPassword, true);
    assert.equal(u.passwordHash, undefined);
    assert.deepEqual(u.profile, { login: 'jdoe', email: 'jdoe@example.com', firstName: 'Jane', lastName: 'Doe', department: 'Finance', costCenter: '42' });

    const byLogin = await runCli(org('user', 'get', 'JDOE'));
    assert.equal(byLogin.code, 0, byLogin.stderr);
    assert.match(byLogin.stdout, /^status\s+ACTIVE$/m);
    assert.match(byLogin.stdout, /^department\s+Finance$/m);
    assert.ok(!byLogin.stdout.includes('$argon2'), 'no hash in output');
    const byId = await runJson<UserJson>(org('user', 'get', u.id));
    assert.equal(byId.profile['login'], 'jdoe');
  });

  it('creates PROVISIONED users without a password and STAGED ones with --staged', async () => {
    const provisioned = await runJson<UserJson>(org('user', 'create', '--login', 'nopass'));
    assert.equal(provisioned.status, 'PROVISIONED');
    assert.equal(provisioned.hasPassword, false);
    const staged = await runJson<UserJson>(org('user', 'create', '--login', 'later', '--staged'));
    assert.equal(staged.status, 'STAGED');
  });

  it('lists users with paging', async () => {
    const page = await runJson<{ total: number; users: UserJson[] }>(org('user', 'list', '--limit', '2'));
    assert.equal(page.total, 3);
    assert.deepEqual(page.users.map((u) => u.profile['login']), ['jdoe', 'nopass']);
    const text = await runCli(org('user', 'list', '--limit', '2', '--offset', '1'));
    assert.match(text.stdout, /^LOGIN\s+ID\s+STATUS\s+EMAIL\s+CREATED$/m);
    assert.match(text.stdout, /^later\s+usr_\w+\s+STAGED/m);
    assert.doesNotMatch(text.stdout, /^jdoe /m);
  });

  it('sets a password from stdin, and a policy violation lists the unmet requirements', async () => {
    const ok = await runCli(org('user', 'set-password', 'jdoe', '--password-stdin'), { input: 'Quartz-Meadow-Lantern-58\n' });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^password set for jdoe \(usr_\w+\), status ACTIVE$/m);

    const weak = await runCli(org('user', 'set-password', 'jdoe', '--password-stdin'), { input: 'zqxvk\n' });
    assert.equal(weak.code, 1);
    const lines = weak.stderr.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^error: Password requirements were not met\. Password requirements: at least 8 characters, /);
    assert.deepEqual(lines.slice(1), ['  at least 8 characters', '  an uppercase letter', '  a number']);

    const json = await runCli(org('user', 'set-password', 'jdoe', '--password-stdin', '--json'), { input: 'Quartz-Meadow-Lantern-58\n' });
    assert.equal(json.code, 1);
    const body = JSON.parse(json.stdout) as { error: { code: string; causes: string[] } };
    assert.equal(body.error.code, 'POLICY_PASSWORD_REQUIREMENTS');
    assert.deepEqual(body.error.causes, ['your password cannot be any of your last 4 passwords']);
  });

  it('refuses to prompt when stdin is not a terminal, and refuses empty stdin', async () => {
    const r = await runCli(org('user', 'set-password', 'jdoe'), { input: 'Ignored-Input-99\n' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: Cannot prompt for a password: stdin is not a terminal\. Pass --password-stdin/);
    const empty = await runCli(org('user', 'set-password', 'jdoe', '--password-stdin'), { input: '' });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /^error: No password on stdin: .*which was empty/);
  });

  it('moves users through the lifecycle commands', async () => {
    const step = async (command: string, expected: string): Promise<void> => {
      const r = await runCli(org('user', command, 'jdoe'));
      assert.equal(r.code, 0, `${command}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^jdoe \\(usr_\\w+\\): [A-Z_]+ -> ${expected}$`, 'm'));
    };
    await step('suspend', 'SUSPENDED');
    await step('unsuspend', 'ACTIVE');
    await step('deactivate', 'DEPROVISIONED');
    await step('activate', 'ACTIVE');
    const staged = await runJson<UserJson>(org('user', 'activate', 'later'));
    assert.equal(staged.status, 'PROVISIONED');

    const illegal = await runCli(org('user', 'unlock', 'jdoe'));
    assert.equal(illegal.code, 1);
    assert.match(illegal.stderr, /^error: Cannot unlock a user whose status is ACTIVE\. Allowed actions from ACTIVE: /);
  });

  it('refuses to delete a user that is not deactivated, then deletes with --force', async () => {
    const refused = await runCli(org('user', 'delete', 'jdoe'));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error: Cannot delete a user whose status is ACTIVE: deactivate the user first, then delete\./);
    assert.match(refused.stderr, /\n {2}run `idsync user deactivate --org acme jdoe` first, or repeat with --force/);
    assert.equal((await runJson<UserJson>(org('user', 'get', 'jdoe'))).status, 'ACTIVE');

    const forced = await runCli(org('user', 'delete', 'jdoe', '--force'));
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /^deleted user jdoe \(usr_\w+\) \(was ACTIVE; deactivated first\)$/m);

    const gone = await runCli(org('user', 'get', 'jdoe'));
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /^error: No user with login or id "jdoe" in org "acme"\. List users with `idsync user list --org acme`\./);
  });

  it('deletes a DEPROVISIONED user without --force', async () => {
    await runJson(org('user', 'deactivate', 'nopass'));
    const r = await runJson<{ deleted: { login: string } }>(org('user', 'delete', 'nopass'));
    assert.equal(r.deleted.login, 'nopass');
  });

  it('refuses a login taken in the org, and bad --set pairs as usage errors', async () => {
    const dup = await runCli(org('user', 'create', '--login', 'LATER'));
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already exists in this org/);
    const bad = await runCli(org('user', 'create', '--login', 'x', '--set', 'no-equals-sign'));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--set expects attribute=value/);
  });
});

describe('idsync policy', () => {
  let db: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ db, cleanup } = await tempDb());
    await createOrg(db, 'acme');
  });
  after(async () => cleanup());

  it('prints the settings and the generated description', async () => {
    const text = await runCli(['policy', 'get', '--org', 'acme', '--db', db]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^ {2}minLength\s+8$/m);
    assert.match(text.stdout, /^Password requirements: at least 8 characters, /m);
    const json = await runJson<{ settings: { minLength: number }; requirements: string[]; description: string }>(['policy', 'get', '--org', 'acme', '--db', db]);
    assert.equal(json.settings.minLength, 8);
    assert.equal(json.requirements[0], 'at least 8 characters');
  });

  it('sets fields through the service, which validates them', async () => {
    const set = await runJson<{ settings: Record<string, unknown>; description: string }>([
      'policy', 'set', '--org', 'acme', '--min-length', '14', '--min-symbol', '1', '--exclude-attributes', 'firstName,lastName', '--exclude-common', 'false', '--history-count', '0', '--db', db,
    ]);
    assert.equal(set.settings['minLength'], 14);
    assert.equal(set.settings['minSymbol'], 1);
    assert.deepEqual(set.settings['excludeAttributes'], ['firstName', 'lastName']);
    assert.equal(set.settings['excludeCommon'], false);
    assert.match(set.description, /at least 14 characters, .*a symbol, .*does not include your first name/);

    const user = await runCli(['user', 'create', '--org', 'acme', '--login', 'kim', '--password-stdin', '--db', db], { input: 'Short1a\n' });
    assert.equal(user.code, 1);
    assert.match(user.stderr, /^ {2}at least 14 characters$/m);
    assert.match(user.stderr, /^ {2}a symbol$/m);

    const bad = await runCli(['policy', 'set', '--org', 'acme', '--min-length', '2', '--exclude-username', 'maybe', '--db', db]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^ {2}minLength must be an integer from 4 to 256 \(got 2\)\.$/m);
    assert.match(bad.stderr, /^ {2}excludeUsername must be true or false \(got "maybe"\)\.$/m);
    const unchanged = await runJson<{ settings: { minLength: number } }>(['policy', 'get', '--org', 'acme', '--db', db]);
    assert.equal(unchanged.settings.minLength, 14);

    const nothing = await runCli(['policy', 'set', '--org', 'acme', '--db', db]);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /Nothing to change/);
  });
});
