import { DomainError } from './domain-error.js';

export class InvalidEventDataError extends DomainError {
  readonly code = 'EVENT.INVALID_DATA';

  constructor(reason: string) {
    super(`invalid event data: ${reason}`);
  }
}
