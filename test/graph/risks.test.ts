import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OpenGraphDocument } from '../../src/core/graph/kinds.js';
import { chainText } from '../../src/core/graph/paths.js';
import { parseRequirements, weakerRequirements } from '../../src/core/graph/policy-compare.js';
import { findRisks, risksText } from '../../src/core/graph/risks.js';
import { buildView } from '../../src/core/graph/view.js';
import { describePolicy, DEFAULT_PASSWORD_POLICY_SETTINGS } from '../../src/core/password-policy.js';
import { AD_SID, edge, scenario, STRONG_POLICY, WEAK_POLICY } from './paths-fixture.js';

describe('graph risks on a hand-built scenario', () => {
  const findings = findRisks(buildView(scenario()));

  it('finds exactly the known answer, gravest first', () => {
    assert.deepEqual(
      findings.map((f) => [f.severity, f.id]),
      [
        ['critical', `password_sync_to_admin:${AD_SID}`],
        ['critical', 'password_sync_to_admin:usr_ac'],
        ['high', 'app_receives_passwords:app_o2o'],
        ['high', 'weaker_policy_sync:org_c:org_a'],
        // bob's app pushes a random password: no takeover, no weaker-policy sync, a low note.
        ['low', 'app_receives_passwords:app_rnd'],
      ],
    );
  });

  it('names the accounts, the app, the chain and the fix of a password-sync takeover', () => {
    const f = findings.find((x) => x.id === 'password_sync_to_admin:usr_ac');
    assert.ok(f);
    assert.deepEqual(f.accounts.map((a) => a.name), ['alice@adatum', 'alice@contoso']);
    assert.deepEqual(f.apps.map((a) => a.name), ['Adatum Org2Org']);
    assert.deepEqual(f.paths.map(chainText), [
      'alice@contoso (IdSync_User) -[IdSync_PasswordSync]-> alice@adatum (IdSync_User) -[IdSync_MemberOf]-> Admins (IdSync_Group) -[IdSync_HasRole]-> SUPER_ADMIN @ adatum (IdSync_Role)',
    ]);
    assert.match(f.explanation, /copied to alice@adatum by "Adatum Org2Org"/);
    assert.match(f.fix, /--password random/);
  });

  it('names each weaker requirement of the source policy', () => {
    const f = findings.find((x) => x.type === 'weaker_policy_sync');
    assert.ok(f);
    assert.deepEqual(f.weaker, [
      'at least 8 characters (the target asks at least 12 characters)',
      'not required: an uppercase letter',
      'not required: a symbol',
      'not required: no parts of the username',
      'not required: not a commonly used password',
    ]);
    // bob's random-password sync is not a password crossing policies.
    assert.deepEqual(f.accounts.map((a) => a.name), ['alice@adatum', 'alice@contoso']);
    assert.match(f.fix, /idsync policy set --org contoso/);
  });

  it('prints every finding with why and fix', () => {
    const text = risksText(findings).join('\n');
    assert.match(text, /^5 findings: 2 critical, 2 high, 0 medium, 1 low/);
    assert.equal(text.match(/\n {2}fix: /g)?.length, 5);
    assert.match(text, /weaker: not required: a symbol/);
  });

  it('an app that receives passwords but reaches no admin is medium', () => {
    const doc: OpenGraphDocument = {
      metadata: { source_kind: 'IdSync_Base' },
      graph: {
        nodes: [
          { id: 'u', kinds: ['IdSync_User'], properties: { name: 'u', login: 'u' } },
          { id: 'app', kinds: ['IdSync_App'], properties: { name: 'wiki' } },
        ],
        edges: [edge('IdSync_ReadPasswordUpdates', 'app', 'u', { app_id: 'app', password_mode: 'hub' })],
      },
    };
    assert.deepEqual(findRisks(buildView(doc)).map((f) => [f.severity, f.type]), [['medium', 'app_receives_passwords']]);
  });

  it('an API client with a manage scope is an admin', () => {
    const doc: OpenGraphDocument = {
      metadata: { source_kind: 'IdSync_Base' },
      graph: {
        nodes: [
          { id: 'src', kinds: ['IdSync_User'], properties: { name: 'src', login: 'src' } },
          { id: 'dst', kinds: ['IdSync_User'], properties: { name: 'dst', login: 'dst' } },
          { id: 'cli', kinds: ['IdSync_ApiClient'], properties: { name: 'robot', scopes: ['okta.users.manage'] } },
        ],
        // A contrived but legal chain: dst controls a client through an AppAdmin right.
        edges: [edge('IdSync_PasswordSync', 'src', 'dst', { password_mode: 'hub' }), edge('IdSync_AppAdmin', 'dst', 'cli')],
      },
    };
    assert.deepEqual(findRisks(buildView(doc)).map((f) => [f.severity, f.id]), [['high', 'password_sync_to_admin:src']]);
  });

  it('no findings on a graph without password sync', () => {
    const doc = scenario();
    doc.graph.edges = doc.graph.edges.filter((e) => e.kind !== 'IdSync_PasswordSync' && e.kind !== 'IdSync_ReadPasswordUpdates');
    assert.deepEqual(findRisks(buildView(doc)), []);
    assert.match(risksText([]).join(''), /^No findings/);
  });
});

describe('policy comparison', () => {
  it('reads the sentence core/password-policy.ts writes', () => {
    const settings = { ...DEFAULT_PASSWORD_POLICY_SETTINGS, minLength: 14, minSymbol: 2, excludeAttributes: ['firstName'], minAgeMinutes: 1440 };
    const reqs = parseRequirements(describePolicy(settings).sentence);
    assert.deepEqual(Object.fromEntries(reqs), {
      length: 14,
      lowercase: 1,
      uppercase: 1,
      number: 1,
      symbol: 2,
      username: 1,
      'attribute:first name': 1,
      common: 1,
      history: 4,
    });
  });

  it('is weaker only where the source asks less', () => {
    assert.deepEqual(weakerRequirements(parseRequirements(STRONG_POLICY), parseRequirements(WEAK_POLICY)), []);
    assert.equal(weakerRequirements(parseRequirements(WEAK_POLICY), parseRequirements(STRONG_POLICY)).length, 5);
    const h = weakerRequirements(parseRequirements('Password requirements: at least 8 characters.'), parseRequirements('Password requirements: at least 8 characters, your password cannot be any of your last 24 passwords.'));
    assert.deepEqual(h.map((w) => w.text), ['not required: none of the last 24 passwords']);
  });
});
