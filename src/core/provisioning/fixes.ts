/**
 * What the admin should do about a failed push: every task names the fix
 * (DESIGN invariant 5). Keyed by the error code; the target's own text is kept
 * beside it on the task.
 */
export function fixFor(code: string, ctx: { app: string; login: string; org: string }): string {
  const retry = `\`idsync task retry ID --org ${ctx.org}\``;
  switch (code) {
    case 'PUSH_AUTH_REJECTED':
      return `The target refused ${ctx.app}'s credential. Create a new token or client secret at the target and set it with \`idsync app update ${ctx.app} --org ${ctx.org} --token-stdin\` (or \`--token-env VAR\`), then retry the task (${retry}).`;
    case 'PUSH_TARGET_CONFLICT':
      return `An account that the hub did not recognise already holds this username at the target. Link it with \`idsync app import ${ctx.app} --org ${ctx.org}\` (matching rule), or change the app's matching rule or userName mapping, then retry the task (${retry}).`;
    case 'PUSH_TARGET_REJECTED':
      return `The target refused the request (its message is on the task). Correct the attribute it names on ${ctx.login} or in ${ctx.app}'s mappings (\`idsync app update ${ctx.app} --org ${ctx.org} --mappings-file FILE\`), then retry the task (${retry}).`;
    case 'PUSH_USERNAME_RULE':
      return `Change the userName mapping of ${ctx.app} so it produces a name the target accepts (for example \`String.substringBefore(user.email, "@")\`), or change ${ctx.login}'s login, then retry the task (${retry}).`;
    case 'PUSH_PASSWORD_PREFLIGHT':
      return `Make the hub's password policy at least as strict as ${ctx.app}'s (\`idsync policy set --org ${ctx.org}\`), so users cannot choose passwords the target refuses; ${ctx.login} must then set a new password, which will be pushed.`;
    case 'PUSH_PASSWORD_FEDERATED':
      return (
        `A federated user has no password that can be updated: ${ctx.login}'s credentials come from an identity provider. ` +
        `Either re-provision the user (unassign them from ${ctx.app}, delete them at the target, assign them again and let provisioning create them), ` +
        `or unlink them from the identity provider in the hub (turning off just-in-time provisioning for that provider), then unassign and re-assign them to ${ctx.app}.`
      );
    case 'PUSH_PASSWORD_EXPIRED':
      return `The password push waited longer than the app's password TTL and its plaintext was wiped. ${ctx.login}'s next password change or sign-in pushes it again.`;
    case 'PUSH_MAPPING_INVALID':
      return `Fix ${ctx.app}'s mappings with \`idsync app update ${ctx.app} --org ${ctx.org} --mappings-file FILE\`, then retry the task (${retry}).`;
    default:
      return `Check the target's message on the task, correct the cause, then retry with ${retry}.`;
  }
}
