/**
 * SCIM Bulk (RFC 7644 3.7) for creating many users in one request: what the
 * target says it supports (ServiceProviderConfig `bulk`), the request body, and
 * each operation's answer turned into the created resource or the PushError a
 * single POST would have given, so the engine cannot tell the two paths apart.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import { PushError, pushErrorFromResponse, secretValues, type PushAttempt } from '../errors.js';

export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

export interface BulkSupport {
  maxOperations: number;
  /** Bytes; a request is split to stay under it. */
  maxPayloadSize: number;
}

/** Bulk as the target's ServiceProviderConfig describes it; null when it is not supported or not usable. */
export function bulkSupportOf(config: JsonValue | string | null): BulkSupport | null {
  if (!isJsonObject(config)) return null;
  const bulk = config['bulk'];
  if (!isJsonObject(bulk) || bulk['supported'] !== true) return null;
  const maxOperations = typeof bulk['maxOperations'] === 'number' ? Math.floor(bulk['maxOperations']) : 0;
  const maxPayloadSize = typeof bulk['maxPayloadSize'] === 'number' ? Math.floor(bulk['maxPayloadSize']) : 0;
  // Bulk for one operation at a time saves nothing.
  if (maxOperations < 2 || maxPayloadSize < 1024) return null;
  return { maxOperations, maxPayloadSize };
}

/** The operations of one request: bulkIds are positions, so answers map back without trusting order. */
export function bulkCreateRequest(path: string, bodies: readonly JsonObject[]): JsonObject {
  return {
    schemas: [BULK_REQUEST_SCHEMA],
    Operations: bodies.map((data, i) => ({ method: 'POST', bulkId: `op${i}`, path, data })),
  };
}

/** The resource id of a created resource: from the echoed body, else the last segment of `location`. */
function createdId(op: JsonObject): string | null {
  const response = op['response'];
  if (isJsonObject(response) && typeof response['id'] === 'string' && response['id'] !== '') return response['id'];
  const location = op['location'];
  if (typeof location !== 'string') return null;
  const last = location.replace(/\/+$/, '').split('/').pop();
  return last === undefined || last === '' ? null : decodeURIComponent(last);
}

export type BulkOutcome = { ok: true; resource: JsonObject & { id: string } } | { ok: false; error: PushError };

/**
 * Each operation's outcome, in request order. An operation the target left out of
 * its answer is a transient failure: the retry looks the account up before creating,
 * so an account that was made after all is found, not made twice.
 */
export function bulkCreateOutcomes(body: unknown, bodies: readonly JsonObject[], attempt: PushAttempt, headers: Headers, now: Date): BulkOutcome[] {
  const answers = new Map<string, JsonObject>();
  const ops = isJsonObject(body) ? body['Operations'] : undefined;
  if (Array.isArray(ops)) {
    for (const op of ops) if (isJsonObject(op) && typeof op['bulkId'] === 'string') answers.set(op['bulkId'], op);
  }
  return bodies.map((data, i) => {
    const opAttempt: PushAttempt = { ...attempt, secrets: secretValues(data) };
    const op = answers.get(`op${i}`);
    if (op === undefined) {
      return { ok: false, error: new PushError('PUSH_TARGET_BAD_RESPONSE', `The target's Bulk answer (${attempt.method} ${attempt.path}) said nothing about one of the users it was sent; the push will look for the user and try again.`, { transient: true, operation: attempt.operation, httpStatus: null }) };
    }
    const status = Number(op['status']);
    if (status >= 200 && status < 300) {
      const id = createdId(op);
      if (id !== null) return { ok: true, resource: { ...(isJsonObject(op['response']) ? op['response'] : {}), id } };
      return { ok: false, error: new PushError('PUSH_TARGET_BAD_RESPONSE', `The target's Bulk answer (${attempt.method} ${attempt.path}) created a user but gave neither its id nor its location, which RFC 7644 3.7.3 requires. The target is not SCIM-conformant here.`, { transient: false, operation: attempt.operation, httpStatus: status }) };
    }
    return { ok: false, error: pushErrorFromResponse(opAttempt, Number.isFinite(status) ? status : 500, headers, op['response'] ?? null, now) };
  });
}
