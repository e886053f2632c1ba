import { isIdsyncError } from '../../core/errors.js';

const ATTEMPTS = 5;

/**
 * Runs a read-modify-write. When the client gave no If-Match, the version we
 * read guards the write; losing that race to a concurrent change is not the
 * client's fault, so we re-read and redo. With the client's If-Match, a
 * mismatch is the client's 412.
 */
export async function retryOnRace<T>(clientVersion: number | undefined, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const race = clientVersion === undefined && isIdsyncError(e) && e.kind === 'precondition';
      if (!race || attempt >= ATTEMPTS) throw e;
    }
  }
}
