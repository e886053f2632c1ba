/** `idsync doctor`'s pure rules: a snapshot in, findings out (see types.ts). */
export { diagnose, pushRules, report } from './diagnose.js';
export { formatMinutes, stricterAtTarget, type PolicyDifference } from './policy-diff.js';
export { usernameProblems } from './username.js';
export * from './types.js';
