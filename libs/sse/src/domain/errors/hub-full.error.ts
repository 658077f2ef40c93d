import { DomainError } from './domain-error.js';

/** This instance holds as many streams as it is configured to; another may have room. */
export class HubFullError extends DomainError {
  readonly code = 'HUB.FULL';

  constructor(readonly limit: number) {
    super(`this instance holds its maximum of ${limit} streams`);
  }
}
