/**
 * A hand-built OpenGraph document with a known answer, shaped like the seed's
 * two scenarios: an Active Directory user whose password syncs to a hub user
 * (alice@contoso), and org-to-org from contoso into adatum, where alice@adatum
 * is in the Admins group holding SUPER_ADMIN. bob's org-to-org app pushes a
 * random password (no takeover); contoso's policy is weaker than adatum's.
 */
import type { OpenGraphDocument, OpenGraphEdge, OpenGraphNode, PropertyMap } from '../../src/core/graph/kinds.js';

export const AD_SID = 'S-1-5-21-1004336348-1177238915-682003330-1001';

const node = (id: string, kind: string, properties: PropertyMap): OpenGraphNode => ({ id, kinds: [kind], properties });

export function edge(kind: string, start: string, end: string, properties: PropertyMap = {}, startKind?: string): OpenGraphEdge {
  return {
    kind,
    start: { value: start, match_by: 'id', ...(startKind === undefined ? {} : { kind: startKind }) },
    end: { value: end, match_by: 'id' },
    properties,
  };
}

export const WEAK_POLICY = 'Password requirements: at least 8 characters, a lowercase letter, a number, your password cannot be any of your last 4 passwords.';
export const STRONG_POLICY =
  'Password requirements: at least 12 characters, a lowercase letter, an uppercase letter, a number, a symbol, no parts of your username, not a commonly used password, your password cannot be any of your last 4 passwords. At least 1 day(s) must have elapsed since you last changed your password.';

export function scenario(): OpenGraphDocument {
  const user = (id: string, login: string, org: string): OpenGraphNode =>
    node(id, 'IdSync_User', { name: login, login, email: login, org_id: org, status: 'ACTIVE', credential_provider: 'HUB' });
  const nodes: OpenGraphNode[] = [
    node('org_c', 'IdSync_Org', { name: 'contoso', policy_min_length: 8, policy_description: WEAK_POLICY }),
    node('org_a', 'IdSync_Org', { name: 'adatum', policy_min_length: 12, policy_description: STRONG_POLICY }),
    user('usr_ac', 'alice@contoso', 'org_c'),
    user('usr_bc', 'bob@contoso', 'org_c'),
    user('usr_dc', 'dave@contoso', 'org_c'),
    user('usr_aa', 'alice@adatum', 'org_a'),
    user('usr_ba', 'bob@adatum', 'org_a'),
    user('usr_ca', 'carol@adatum', 'org_a'),
    node('grp_admins', 'IdSync_Group', { name: 'Admins', org_id: 'org_a' }),
    node('org_a:role:SUPER_ADMIN', 'IdSync_Role', { name: 'SUPER_ADMIN @ adatum', role_type: 'SUPER_ADMIN', is_admin: true, org_id: 'org_a' }),
    node('app_o2o', 'IdSync_App', { name: 'Adatum Org2Org', app_kind: 'hub', password_sync: 'hub', org_id: 'org_c', target: 'https://adatum.example' }),
    node('app_rnd', 'IdSync_App', { name: 'Adatum Random', app_kind: 'hub', password_sync: 'random', org_id: 'org_c' }),
    node('idp_c', 'IdSync_IdentityProvider', { name: 'Contoso Org2Org OIDC', org_id: 'org_a' }),
    node('tok_a', 'IdSync_ApiToken', { name: 'automation', org_id: 'org_a' }),
  ];
  const edges: OpenGraphEdge[] = [
    // Directory user -> hub user (seed, Active Directory hybrid).
    edge('IdSync_PasswordSync', AD_SID, 'usr_ac', { app_id: 'app_ad', password_mode: 'hub' }, 'User'),
    edge('IdSync_UserSync', AD_SID, 'usr_ac', {}, 'User'),
    // Org-to-org (seed, Org2Org).
    edge('IdSync_PasswordSync', 'usr_ac', 'usr_aa', { app_id: 'app_o2o', password_mode: 'hub' }),
    edge('IdSync_OutboundSSO', 'usr_ac', 'usr_aa'),
    edge('IdSync_UserSync', 'usr_ac', 'usr_aa'),
    edge('IdSync_UserPush', 'usr_ac', 'app_o2o'),
    edge('IdSync_AppAssignment', 'usr_ac', 'app_o2o'),
    edge('IdSync_ReadPasswordUpdates', 'app_o2o', 'usr_ac', { app_id: 'app_o2o', password_mode: 'hub' }),
    edge('IdSync_OutboundOrgSSO', 'app_o2o', 'idp_c'),
    edge('IdSync_IdentityProviderFor', 'idp_c', 'usr_aa'),
    // bob's app pushes a random password.
    edge('IdSync_PasswordSync', 'usr_bc', 'usr_ba', { app_id: 'app_rnd', password_mode: 'random' }),
    edge('IdSync_ReadPasswordUpdates', 'app_rnd', 'usr_bc', { app_id: 'app_rnd', password_mode: 'random' }),
    // Admin rights in adatum.
    edge('IdSync_MemberOf', 'usr_aa', 'grp_admins'),
    edge('IdSync_MemberOf', 'usr_ba', 'grp_admins'),
    edge('IdSync_HasRole', 'grp_admins', 'org_a:role:SUPER_ADMIN'),
    edge('IdSync_HasRole', 'usr_ca', 'org_a:role:SUPER_ADMIN'),
    edge('IdSync_SuperAdmin', 'org_a:role:SUPER_ADMIN', 'org_a'),
    edge('IdSync_SuperAdmin', 'tok_a', 'org_a'),
    ...['usr_aa', 'usr_ba', 'usr_ca', 'grp_admins', 'org_a:role:SUPER_ADMIN', 'idp_c', 'tok_a'].map((id) => edge('IdSync_Contains', 'org_a', id)),
    ...['usr_ac', 'usr_bc', 'usr_dc', 'app_o2o', 'app_rnd'].map((id) => edge('IdSync_Contains', 'org_c', id)),
  ];
  return { metadata: { source_kind: 'IdSync_Base' }, graph: { nodes, edges } };
}
