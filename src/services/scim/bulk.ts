/**
 * SCIM Bulk (RFC 7644 3.7): runs the operations of one BulkRequest through the
 * same SCIM services a single request uses (so policy, uniqueness, write-only
 * passwords, dialects, ETags and events are the same), in ONE store transaction
 * with a savepoint per operation: a failed operation rolls back alone, the
 * others commit together. Passwords are hashed before the transaction opens.
 */
import { HTTP_STATUS, conflict, toIdsyncError, type IdsyncError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import { bulkIdOf, planBulk, passwordOf, replaceBulkIds, type BulkMethod, type BulkOperation, type BulkRequest } from '../../core/scim/bulk.js';
import { assertVersion, parseIfMatch, resourceVersion } from '../../core/scim/etag.js';
import type { Org } from '../../core/types.js';
import type { Store } from '../../store/store.js';
import type { Actor, PasswordHasher, ServiceContext } from '../context.js';
import { UserService } from '../users.js';
import { ScimGroups } from './groups.js';
import { ScimUsers } from './users.js';

/** One operation's result, before the edge renders it (errors as SCIM error JSON). */
export interface BulkOutcome {
  method: BulkMethod;
  bulkId?: string;
  version?: string;
  location?: string;
  /** HTTP status of the operation. */
  status: number;
  error?: IdsyncError;
}

export interface BulkResult {
  /** In the order the operations ran; those not run (failOnErrors reached) are not listed. */
  outcomes: BulkOutcome[];
  errors: number;
  /** failOnErrors was reached and the remaining operations were not run. */
  stopped: boolean;
}

interface ResourceService {
  get(id: string): Promise<JsonObject>;
  create(body: JsonObject, actor: Actor): Promise<JsonObject>;
  replace(id: string, body: JsonObject, ifVersion: number | undefined, actor: Actor): Promise<JsonObject>;
  patch(id: string, body: unknown, ifVersion: number | undefined, actor: Actor): Promise<JsonObject>;
  delete(id: string, actor: Actor): Promise<void>;
}

const ENDPOINT = { User: 'Users', Group: 'Groups' } as const;

function unresolved(op: BulkOperation, message: string): IdsyncError {
  return conflict('SCIM_BULK_UNRESOLVED_REFERENCE', `Operations[${op.index}] (${op.method}${op.bulkId === undefined ? '' : ` bulkId ${JSON.stringify(op.bulkId)}`}): ${message}`, { scimType: 'invalidValue' });
}

type Services = Record<BulkOperation['resourceType'], ResourceService>;

/** What later operations need to know about earlier ones. */
interface RunState {
  /** bulkIds of the request's POSTs. */
  declared: Set<string>;
  /** Positions of operations caught in a reference cycle. */
  circular: Set<number>;
  /** bulkId -> id of the resource its POST created. */
  created: Map<string, string>;
  /** bulkId -> position of its POST, which failed. */
  failed: Map<string, number>;
}

/** The id a `bulkId:` reference stands for, or the 409 (invalidValue) saying why there is none. */
function resolve(op: BulkOperation, bulkId: string, state: RunState): string {
  const id = state.created.get(bulkId);
  if (id !== undefined) return id;
  const ref = `bulkId ${JSON.stringify(bulkId)}`;
  if (state.circular.has(op.index)) throw unresolved(op, `${ref} is part of a circular reference between operations; create the resources first and link them in a later PATCH.`);
  const at = state.failed.get(bulkId);
  if (at !== undefined) throw unresolved(op, `${ref} cannot be resolved: Operations[${at}], which creates it, failed.`);
  if (!state.declared.has(bulkId)) throw unresolved(op, `${ref} cannot be resolved: no POST operation in this request has that bulkId.`);
  throw unresolved(op, `${ref} cannot be resolved.`);
}

/**
 * Hashes computed before the transaction, handed out once each (two users with
 * the same password still get different salts), and verifications done before
 * it; anything not prepared falls through to the real hasher.
 */
class PreparedHasher implements PasswordHasher {
  constructor(
    private readonly real: PasswordHasher,
    private readonly hashes: Map<string, string[]>,
    private readonly verified: Map<string, boolean>,
  ) {}

  hash(plain: string): Promise<string> {
    const ready = this.hashes.get(plain)?.shift();
    return ready === undefined ? this.real.hash(plain) : Promise.resolve(ready);
  }

  verify(hash: string, plain: string): Promise<boolean> {
    const ready = this.verified.get(verifyKey(hash, plain));
    return ready === undefined ? this.real.verify(hash, plain) : Promise.resolve(ready);
  }

  /** Drops every plaintext this request held. */
  clear(): void {
    this.hashes.clear();
    this.verified.clear();
  }
}

function verifyKey(hash: string, plain: string): string {
  return `${hash}\u0000${plain}`;
}

export class ScimBulk {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly org: Org,
    private readonly baseUrl: string,
  ) {}

  /**
   * The argon2id work of every password the request sets, done side by side
   * before the write lock is taken: the new hashes, and the check of each new
   * password against the user's current one (SCIM treats setting the same
   * password again as no change). History checks of a policy with history
   * still run inside, as they need the rows the transaction sees.
   */
  private async prepareHasher(ops: readonly BulkOperation[]): Promise<PreparedHasher> {
    const hashes = new Map<string, string[]>();
    const verified = new Map<string, boolean>();
    const users = new UserService(this.ctx, this.org);
    const work = ops.map(async (op) => {
      const plain = passwordOf(op);
      if (plain === undefined) return;
      const hashing = this.ctx.hasher.hash(plain);
      let verifying: Promise<void> = Promise.resolve();
      if (op.method !== 'POST' && op.target !== null && bulkIdOf(op.target) === null) {
        verifying = users.get(op.target).then(async (u) => {
          if (u?.passwordHash) verified.set(verifyKey(u.passwordHash, plain), await this.ctx.hasher.verify(u.passwordHash, plain));
        });
      }
      const [hashed] = await Promise.allSettled([hashing, verifying]);
      if (hashed.status === 'fulfilled') hashes.set(plain, [...(hashes.get(plain) ?? []), hashed.value]);
    });
    // A failure here only means the work is redone (and fails again, as that operation's error) inside.
    await Promise.allSettled(work);
    return new PreparedHasher(this.ctx.hasher, hashes, verified);
  }

  async run(request: BulkRequest, actor: Actor): Promise<BulkResult> {
    const plan = planBulk(request.operations);
    const hasher = await this.prepareHasher(plan.order);
    const state: RunState = {
      declared: new Set(request.operations.flatMap((op) => (op.method === 'POST' && op.bulkId !== undefined ? [op.bulkId] : []))),
      circular: plan.circular,
      created: new Map(),
      failed: new Map(),
    };
    let kicked = false;
    const result: BulkResult = { outcomes: [], errors: 0, stopped: false };
    try {
      await this.ctx.store.batch(async (store) => {
        // Jobs the operations queue are visible to the worker from the commit on: it hears of them then.
        const ctx: ServiceContext = { ...this.ctx, store, hasher, runner: { kick: () => void (kicked = true) } };
        const services: Services = { User: new ScimUsers(ctx, this.org, this.baseUrl), Group: new ScimGroups(ctx, this.org, this.baseUrl) };
        for (const op of plan.order) {
          if (request.failOnErrors !== null && result.errors >= request.failOnErrors) {
            result.stopped = true;
            break;
          }
          const outcome = await this.runOne(store, services, op, state, actor);
          if (outcome.error) {
            result.errors++;
            if (op.method === 'POST' && op.bulkId !== undefined) state.failed.set(op.bulkId, op.index);
          }
          result.outcomes.push(outcome);
        }
      });
    } finally {
      hasher.clear();
    }
    if (kicked) this.ctx.runner?.kick();
    return result;
  }

  /** One operation in its own savepoint: it commits with the others or leaves nothing behind. */
  private async runOne(store: Store, services: Services, op: BulkOperation, state: RunState, actor: Actor): Promise<BulkOutcome> {
    const base: BulkOutcome = { method: op.method, ...(op.bulkId === undefined ? {} : { bulkId: op.bulkId }), status: 0 };
    let id: string | null = null;
    try {
      return await store.transaction(async () => {
        const svc = services[op.resourceType];
        const target = op.target === null ? null : bulkIdOf(op.target);
        id = target === null ? op.target : resolve(op, target, state);
        const data = op.data === undefined ? undefined : replaceBulkIds(op.data, (ref) => resolve(op, ref, state));
        const ifVersion = parseIfMatch(op.version);
        const done = (resource: JsonObject, status: number): BulkOutcome => {
          const version = resourceVersion(resource);
          const rid = typeof resource['id'] === 'string' ? resource['id'] : (id ?? '');
          return { ...base, location: this.location(op, rid), ...(version === undefined ? {} : { version }), status };
        };
        switch (op.method) {
          case 'POST': {
            const resource = await svc.create(data as JsonObject, actor);
            if (op.bulkId !== undefined && typeof resource['id'] === 'string') state.created.set(op.bulkId, resource['id']);
            return done(resource, 201);
          }
          case 'PUT':
            return done(await svc.replace(id as string, data as JsonObject, ifVersion, actor), 200);
          case 'PATCH':
            return done(await svc.patch(id as string, data, ifVersion, actor), 200);
          case 'DELETE':
            if (ifVersion !== undefined) assertVersion(resourceVersion(await svc.get(id as string)), ifVersion);
            await svc.delete(id as string, actor);
            return { ...base, location: this.location(op, id as string), status: 204 };
        }
      });
    } catch (e) {
      const error = toIdsyncError(e);
      // RFC 7644 3.7.3: a failed POST has no location; any other operation names its resource.
      return { ...base, ...(id === null ? {} : { location: this.location(op, id) }), status: HTTP_STATUS[error.kind], error };
    }
  }

  private location(op: BulkOperation, id: string): string {
    return `${this.baseUrl}/${ENDPOINT[op.resourceType]}/${encodeURIComponent(id)}`;
  }
}
