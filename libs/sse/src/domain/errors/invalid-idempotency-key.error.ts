import { DomainError } from './domain-error.js';

export class InvalidIdempotencyKeyError extends DomainError {
  readonly code = 'PUBLISH.INVALID_IDEMPOTENCY_KEY';

  constructor(reason: string) {
    super(`invalid idempotency key: ${reason}`);
  }
}
