/**
 * Rules about the pair itself: is the app on and syncing passwords, is the user
 * assigned and active, does the hub hold a password for them (federated and
 * directory-mastered users have none), and the open tasks of the pair in the
 * target's own words.
 */
import type { DoctorSnapshot, Finding } from './types.js';

/** Commands an admin types, with the org and names filled in. */
export function commands(s: DoctorSnapshot) {
  const org = s.orgName;
  const app = s.app.name;
  const login = s.user.login;
  return {
    activate: `idsync app update ${app} --org ${org} --status ACTIVE`,
    passwordHub: `idsync app update ${app} --org ${org} --password hub`,
    passwordRandom: `idsync app update ${app} --org ${org} --password random`,
    assign: `idsync app assign ${app} --org ${org} --user ${login}`,
    unassign: `idsync app unassign ${app} --org ${org} --user ${login}`,
    noDeactivate: `idsync app update ${app} --org ${org} --no-deactivate`,
    setPassword: `idsync user set-password ${login} --org ${org}`,
    activateUser: `idsync user activate ${login} --org ${org}`,
    unsuspend: `idsync user unsuspend ${login} --org ${org}`,
    policySet: `idsync policy set --org ${org}`,
    targetPolicy: `idsync app update ${app} --org ${org} --target-policy-file FILE`,
    mappings: `idsync app update ${app} --org ${org} --mappings-file FILE`,
    usernameRule: `idsync app update ${app} --org ${org} --username-rule RULE`,
    credential: `idsync app update ${app} --org ${org} --token-stdin`,
    taskList: `idsync task list --org ${org} --app ${app}`,
    create: `idsync app update ${app} --org ${org} --create`,
    importAccounts: `idsync app import ${app} --org ${org}`,
  };
}

export function appRules(s: DoctorSnapshot): Finding[] {
  const out: Finding[] = [];
  const c = commands(s);
  if (s.app.status !== 'ACTIVE') {
    out.push({
      code: 'DOCTOR_APP_INACTIVE',
      severity: 'error',
      title: `app ${s.app.name} is ${s.app.status}`,
      explanation: `${s.app.name} is ${s.app.status}: an inactive app queues no jobs, so no profile change or password of ${s.user.login} is pushed.`,
      fix: [`Activate it: \`${c.activate}\`; every assigned user is synced again.`],
      details: { status: s.app.status },
    });
  }
  if (s.app.passwordSync === 'off') {
    out.push({
      code: 'DOCTOR_PASSWORD_SYNC_OFF',
      severity: 'info',
      title: `password sync is off for ${s.app.name}`,
      explanation: `${s.app.name} is set not to sync passwords (settings.provisioning.password = "off"): ${s.user.login}'s account there is provisioned without the hub's password.`,
      fix: [`To push each user's own hub password: \`${c.passwordHub}\`.`, `To give new accounts a random password that meets the target's policy (users sign in through the hub): \`${c.passwordRandom}\`.`],
    });
  }
  if (!s.assigned) {
    out.push({
      code: 'DOCTOR_NOT_ASSIGNED',
      severity: 'error',
      title: `${s.user.login} is not assigned to ${s.app.name}`,
      explanation: `${s.user.login} is assigned to ${s.app.name} neither directly nor through a group, so nothing of theirs is pushed there${s.link?.targetId ? ` (the account ${s.link.targetName ?? s.link.targetId} the hub linked earlier is deactivated or left alone)` : ''}.`,
      fix: [`Assign the user: \`${c.assign}\`, or add them to a group assigned to ${s.app.name}.`],
    });
  }
  return out;
}

const NOT_PUSHED = new Set(['STAGED', 'SUSPENDED', 'DEPROVISIONED']);

export function userRules(s: DoctorSnapshot): Finding[] {
  const out: Finding[] = [];
  const c = commands(s);
  const u = s.user;
  if (NOT_PUSHED.has(u.status)) {
    out.push({
      code: 'DOCTOR_USER_NOT_ACTIVE',
      severity: 'error',
      title: `${u.login} is ${u.status}`,
      explanation: `${u.login} is ${u.status} in the hub: ${u.status === 'STAGED' ? 'a staged user is not pushed until activated' : 'their account at the target is deactivated, and no password is pushed to it'}.`,
      fix: [u.status === 'SUSPENDED' ? `Unsuspend the user: \`${c.unsuspend}\`.` : `Activate the user: \`${c.activateUser}\`.`],
      details: { status: u.status },
    });
  }
  if (s.app.passwordSync !== 'hub') return out;
  const federated = u.credentialProvider === 'FEDERATION' || s.idps.length > 0;
  if (federated) out.push(federatedUser(s));
  else if (u.credentialProvider === 'LDAP' || u.credentialProvider === 'ACTIVE_DIRECTORY') {
    out.push({
      code: 'DOCTOR_DIRECTORY_CREDENTIALS',
      severity: 'error',
      title: `${u.login}'s password is checked by ${u.credentialProvider}`,
      explanation: `${u.login} has ${u.credentialProvider} credentials: the directory checks their password, the hub never sees it, so there is nothing to push to ${s.app.name}.`,
      fix: [`Give ${s.app.name} a random password instead (users sign in through the hub): \`${c.passwordRandom}\`.`, `Or make the hub the user's password master: set a password in the hub (\`${c.setPassword}\`).`],
    });
  } else if (!u.hasPassword) {
    out.push({
      code: 'DOCTOR_NO_PASSWORD',
      severity: 'error',
      title: `the hub holds no password for ${u.login}`,
      explanation: `${u.login} has ${u.credentialProvider} credentials but no password (never set, or cleared when the user was unlinked from an identity provider): there is nothing to push to ${s.app.name} until one is set.`,
      fix: [`Set one (\`${c.setPassword}\`) or send the user a reset link (POST /api/v1/users/${u.id}/lifecycle/reset_password); the new password is pushed.`],
    });
  }
  return out;
}

/** The user's password is mastered by an identity provider: seed 001's cause, seen from the source side. */
function federatedUser(s: DoctorSnapshot): Finding {
  const c = commands(s);
  const u = s.user;
  const named = s.idps.map((i) => `${i.name} (${i.type}, ${i.id}, just-in-time provisioning ${i.jit ? 'on' : 'off'})`);
  const jit = s.idps.filter((i) => i.jit);
  const where = named.length > 0 ? ` through the identity provider${named.length > 1 ? 's' : ''} ${named.join(', ')}` : '';
  const fix: string[] = [];
  for (const i of jit) {
    fix.push(`Stop ${i.name} from mastering users it signs in: turn off just-in-time provisioning (PUT /api/v1/idps/${i.id} with "policy": {"provisioning": {"action": "DISABLED"}}). A user mastered by an identity provider cannot have a password synced.`);
  }
  const unlink = s.idps.map((i) => `DELETE /api/v1/idps/${i.id}/users/${u.id}`).join(' and ') || `link ${u.login} to no identity provider`;
  fix.push(
    `Disconnect the user from the identity provider: unlink them (${unlink}), give them a password (\`${c.setPassword}\` or a reset link), turn off deprovisioning for ${s.app.name} (\`${c.noDeactivate}\`), unassign (\`${c.unassign}\`) and re-assign them (\`${c.assign}\`) and let it provision; turn deprovisioning back on afterwards.`,
  );
  fix.push(`Or re-provision the user: unassign them from ${s.app.name} (\`${c.unassign}\`), delete the account at the target, then assign them again (\`${c.assign}\`) and let provisioning create it.`);
  fix.push(`If the identity provider must stay the user's master, give ${s.app.name} a random password instead: \`${c.passwordRandom}\`.`);
  return {
    code: 'DOCTOR_FEDERATED_USER',
    severity: 'error',
    title: `${u.login} has federated credentials`,
    explanation:
      `${u.login}'s credentials are ${u.credentialProvider}${where}: a federated user has no password in the hub that could be pushed, so password sync to ${s.app.name} cannot happen.` +
      (jit.length > 0 ? ` Just-in-time provisioning on ${jit.map((i) => i.name).join(', ')} keeps such users mastered by the provider.` : ''),
    fix,
    details: { credentialProvider: u.credentialProvider, identityProviders: s.idps.map((i) => ({ id: i.id, name: i.name, type: i.type, jit: i.jit, status: i.status })) },
  };
}

/** Each open task of the pair, with the target's own words. */
export function taskRules(s: DoctorSnapshot): Finding[] {
  return s.openTasks.map((t) => ({
    code: 'DOCTOR_OPEN_TASK',
    severity: 'error' as const,
    title: `open task ${t.id}: ${t.code} (${t.operation})`,
    explanation: `${t.message}${t.targetMessage === null ? '' : ` The target said: "${t.targetMessage}"`} (since ${t.created}, last ${t.updated}).`,
    fix: [t.fix, `When fixed, retry it (\`idsync task retry ${t.id} --org ${s.orgName}\`) or dismiss it (\`idsync task dismiss ${t.id} --org ${s.orgName}\`).`],
    details: { taskId: t.id, taskCode: t.code, operation: t.operation, targetMessage: t.targetMessage, created: t.created, updated: t.updated },
  }));
}
