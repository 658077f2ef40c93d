import { DomainError } from './domain-error.js';

/** A publication whose target is not exactly one of a client, a topic or everyone. */
export class InvalidTargetError extends DomainError {
  readonly code = 'PUBLISH.INVALID_TARGET';

  constructor(reason: string) {
    super(`invalid target: ${reason}`);
  }
}
