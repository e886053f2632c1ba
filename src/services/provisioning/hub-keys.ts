/**
 * The key pairs a `hub` app (OAuth auth) signs its client assertions with. The
 * source org holds them: private halves sealed with the master key (aad
 * `app_key:<appId>:<kid>`), public halves published, unauthenticated, at
 * `GET /oauth2/v1/orgs/{orgId}/apps/{appId}/jwks`. The target registers the
 * service app with that URL as its `jwksUri`, and refetches it when an assertion
 * names a kid it does not know, so a rotation needs nobody to copy keys.
 *
 * Rotation: a key signs for `rotateAfterDays` (default 30); then a new key becomes
 * current and the old one stays published for `overlapHours` (default 24), longer
 * than any token or cached JWKS at the target lives, and is then dropped.
 */
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { DAY_MS, HOUR_MS } from '../../core/clock.js';
import { invalid, notFound } from '../../core/errors.js';
import type { AppKey } from '../../core/provisioning/types.js';
import { jwkThumbprint } from '../../crypto/jwt.js';
import type { AppRecord } from '../../store/apps.js';
import { nowIso, type Actor, type ServiceContext } from '../context.js';

export const KEY_ALG = 'ES256';
export const DEFAULT_ROTATE_AFTER_DAYS = 30;
export const DEFAULT_OVERLAP_HOURS = 24;

const aad = (appId: string, kid: string): string => `app_key:${appId}:${kid}`;

export function usesKeys(app: Pick<AppRecord, 'kind' | 'connection'>): boolean {
  return app.kind === 'hub' && app.connection.auth.type === 'oauth2';
}

function rotateAfterMs(app: AppRecord): number {
  const a = app.connection.auth;
  return (a.type === 'oauth2' ? (a.rotateAfterDays ?? DEFAULT_ROTATE_AFTER_DAYS) : DEFAULT_ROTATE_AFTER_DAYS) * DAY_MS;
}

function overlapMs(app: Pick<AppRecord, 'connection'>): number {
  const a = app.connection.auth;
  return (a.type === 'oauth2' ? (a.overlapHours ?? DEFAULT_OVERLAP_HOURS) : DEFAULT_OVERLAP_HOURS) * HOUR_MS;
}

/** A new key pair for the app, its private half sealed. */
export async function newAppKey(ctx: ServiceContext, appId: string, now: string): Promise<AppKey> {
  const { publicKey, privateKey } = await generateKeyPair(KEY_ALG, { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), alg: KEY_ALG, use: 'sig' };
  const kid = await jwkThumbprint(publicJwk);
  publicJwk.kid = kid;
  const sealedPrivate = ctx.sealer.seal(JSON.stringify(await exportJWK(privateKey)), aad(appId, kid));
  return { kid, alg: KEY_ALG, publicJwk: publicJwk as Record<string, unknown>, sealedPrivate, created: now, retired: null };
}

/** Keys still published at `nowMs`: the current one and those retired less than the overlap ago. */
function live(app: Pick<AppRecord, 'connection'>, keys: readonly AppKey[], nowMs: number): AppKey[] {
  return keys.filter((k) => k.retired === null || Date.parse(k.retired) + overlapMs(app) > nowMs);
}

/** An app by id alone (the JWKS URL names its org), for the unauthenticated JWKS endpoint. */
export async function appForJwks(ctx: ServiceContext, orgId: string, appId: string): Promise<AppRecord | null> {
  const app = await ctx.store.read((s) => s.org(orgId).apps.get(appId));
  return app && usesKeys(app) ? app : null;
}

/** The public JWKS of an app (empty for apps that hold no keys). */
export function appJwks(app: AppRecord, now: Date): { keys: Record<string, unknown>[] } {
  return { keys: live(app, app.connection.keys ?? [], now.getTime()).map((k) => k.publicJwk) };
}

/** The key assertions are signed with now. */
export async function currentAppKey(ctx: ServiceContext, app: AppRecord): Promise<{ kid: string; alg: string; key: CryptoKey }> {
  const k = (app.connection.keys ?? []).filter((x) => x.retired === null).at(-1);
  if (!k) throw notFound('APP_KEY_MISSING', `The app ${app.name} has no signing key; rotate one with \`idsync app rotate-key ${app.name}\` (or update the app's auth).`);
  const plain = ctx.sealer.open(k.sealedPrivate, aad(app.id, k.kid));
  try {
    return { kid: k.kid, alg: k.alg, key: (await importJWK(JSON.parse(plain.toString('utf8')) as JWK, k.alg)) as CryptoKey };
  } finally {
    plain.fill(0);
  }
}

/**
 * Makes a new current key, retires the others and drops those past the overlap.
 * Bumps the app's version, so a worker builds its client again (and signs with the new key).
 */
export async function rotateAppKey(ctx: ServiceContext, orgId: string, appId: string, actor: Actor, opts: { onlyIfDue?: boolean } = {}): Promise<AppRecord> {
  const now = nowIso(ctx);
  const nowMs = Date.parse(now);
  const key = await newAppKey(ctx, appId, now);
  return ctx.store.transaction(async (tx) => {
    const scope = tx.org(orgId);
    const app = await scope.apps.get(appId);
    if (!app || !usesKeys(app)) throw notFound('APP_NOT_FOUND', `No hub app with OAuth auth with id ${appId} in this org.`);
    // Jobs running side by side may both find the key due: the first rotates, the others see it done.
    if (opts.onlyIfDue && !rotationDue(app, new Date(nowMs))) return app;
    const kept = live(app, (app.connection.keys ?? []).map((k) => (k.retired === null ? { ...k, retired: now } : k)), nowMs);
    const next: AppRecord = { ...app, connection: { ...app.connection, keys: [...kept, key] }, lastUpdated: now, version: app.version + 1 };
    await scope.apps.update(next);
    await scope.events.append({ id: ctx.ids.id('evt'), type: 'application.key.rotate', actor, targetType: 'org', targetId: app.id, data: { appId: app.id, kid: key.kid, published: next.connection.keys?.map((k) => k.kid) ?? [] }, created: now });
    return next;
  });
}

/** Whether the app's current key is older than its rotation period (or it has none). */
export function rotationDue(app: AppRecord, now: Date): boolean {
  if (!usesKeys(app) || app.status !== 'ACTIVE') return false;
  const current = (app.connection.keys ?? []).filter((k) => k.retired === null).at(-1);
  return current === undefined || Date.parse(current.created) + rotateAfterMs(app) <= now.getTime();
}

/** One key of an app as published: which signs now, and until when a retired one stays at the JWKS URL. */
export interface KeyPublication {
  kid: string;
  state: 'current' | 'retired';
  created: string;
  retired: string | null;
  /** null for the current key: it stays until the next rotation. */
  publishedUntil: string | null;
}

/** The keys an app publishes now, oldest first; `overlapHours` is how long a retired key stays. */
export function keyPublication(app: Pick<AppRecord, 'connection'>, now: Date): { overlapHours: number; keys: KeyPublication[] } {
  const overlap = overlapMs(app);
  const keys = live(app, app.connection.keys ?? [], now.getTime()).map((k) => ({
    kid: k.kid,
    state: k.retired === null ? ('current' as const) : ('retired' as const),
    created: k.created,
    retired: k.retired,
    publishedUntil: k.retired === null ? null : new Date(Date.parse(k.retired) + overlap).toISOString(),
  }));
  return { overlapHours: overlap / HOUR_MS, keys };
}

/** Refuses apps that hold no keys, saying which apps do. */
export function requireKeys(app: Pick<AppRecord, 'kind' | 'connection' | 'name'>): void {
  if (!usesKeys(app)) {
    const why = app.kind === 'hub' ? 'authenticates with an API token (SSWS)' : `is a ${app.kind} app`;
    throw invalid(
      'APP_NO_KEYS',
      `App "${app.name}" ${why} and holds no signing keys: only hub apps with OAuth auth ({"type": "oauth2"}) sign client assertions with their own rotating keys.`,
    );
  }
}
