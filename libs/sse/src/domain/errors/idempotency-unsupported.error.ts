import { DomainError } from './domain-error.js';

/** The history in use cannot append once per key, so a publish with a key is refused, not risked. */
export class IdempotencyUnsupportedError extends DomainError {
  readonly code = 'PUBLISH.IDEMPOTENCY_UNSUPPORTED';

  constructor(history: string) {
    super(`${history} does not support idempotency keys; publish without one`);
  }
}
