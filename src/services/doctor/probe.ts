/**
 * `--probe`: one live, authenticated request to an app's target with a short
 * timeout, to tell "unreachable" from "credential refused" from "fine" now
 * rather than from the last push. For hub apps it also reads the target org's
 * password policy and, per user, the account the hub linked (its credential
 * provider and when its password last changed: the target's own record).
 */
import { performance } from 'node:perf_hooks';
import { isJsonObject } from '../../core/json.js';
import type { ProbeResult } from '../../core/doctor/types.js';
import type { PasswordPolicySettings } from '../../core/types.js';
import { isPushError } from '../../connectors/errors.js';
import type { HubClient } from '../../connectors/hub/client.js';
import type { AppRecord } from '../../store/apps.js';
import type { ServiceContext } from '../context.js';
import { openHubClient, openScimClient } from '../provisioning/worker.js';

/** A target that has not answered in this time is reported unreachable; the doctor must not hang. */
export const PROBE_TIMEOUT_MS = 5_000;

type Failure = Extract<ProbeResult, { ok: false }>;

function failure(e: unknown, requests: string[], ms: number): Failure {
  if (isPushError(e)) return { ok: false, requests, ms, code: e.code, message: e.message, httpStatus: e.httpStatus, targetMessage: e.targetMessage };
  if (e instanceof Error && 'code' in e && typeof (e as { code: unknown }).code === 'string') {
    // An IdsyncError before any request (a credential that cannot be opened, say).
    return { ok: false, requests, ms, code: (e as { code: string }).code, message: e.message, httpStatus: null, targetMessage: null };
  }
  throw e;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** What the probe learnt about one app: whether it answers, and (hub apps) its policy and accounts. */
export class AppProbe {
  private constructor(
    readonly result: ProbeResult,
    /** Hub apps whose target answered: the target org's policy as read now (null when it would not say). */
    readonly policy: PasswordPolicySettings | null,
    private readonly hub: HubClient | null,
  ) {}

  static async run(ctx: ServiceContext, app: AppRecord, timeoutMs = PROBE_TIMEOUT_MS): Promise<AppProbe> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    if (app.kind === 'hub') {
      const requests = ['GET /api/v1/users?limit=1', 'GET /api/v1/policies?type=PASSWORD'];
      try {
        const client = openHubClient(ctx, app, { timeoutMs });
        await client.probe();
        const policy = await client.passwordPolicy();
        return new AppProbe({ ok: true, requests, ms: elapsed() }, policy, client);
      } catch (e) {
        return new AppProbe(failure(e, requests, elapsed()), null, null);
      }
    }
    const requests = ['GET /ServiceProviderConfig', 'GET /Users?count=1'];
    try {
      await openScimClient(ctx, app, { timeoutMs }).probe();
      return new AppProbe({ ok: true, requests, ms: elapsed() }, null, null);
    } catch (e) {
      return new AppProbe(failure(e, requests, elapsed()), null, null);
    }
  }

  /** The result for one pair: with the linked account as the target sees it (hub apps). */
  async forAccount(targetId: string | null): Promise<ProbeResult> {
    if (!this.result.ok || this.hub === null || targetId === null) return this.result;
    try {
      const r = await this.hub.getUser(targetId);
      if (r === null) return { ...this.result, account: { found: false, credentialProvider: null, passwordChanged: null, status: null } };
      const creds = isJsonObject(r['credentials']) ? r['credentials'] : {};
      const provider = isJsonObject(creds['provider']) ? text(creds['provider']['type']) : null;
      return { ...this.result, requests: [...this.result.requests, 'GET /api/v1/users/{id}'], account: { found: true, credentialProvider: provider, passwordChanged: text(r['passwordChanged']), status: text(r['status']) } };
    } catch (e) {
      return failure(e, [...this.result.requests, 'GET /api/v1/users/{id}'], this.result.ms);
    }
  }
}
