import { DomainError } from './domain-error.js';

/** Too many calls of one kind from one caller in the current window. */
export class RateLimitedError extends DomainError {
  readonly code = 'RATE.LIMITED';

  constructor(
    what: string,
    /** When the caller may try again. */
    readonly retryAfterMs: number,
  ) {
    super(`too many ${what}; retry in ${Math.ceil(retryAfterMs / 1000)} s`);
  }
}
