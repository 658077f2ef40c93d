import { DomainError } from './domain-error.js';

export class InvalidEventTypeError extends DomainError {
  readonly code = 'EVENT.INVALID_TYPE';

  constructor(reason: string) {
    super(`invalid event type: ${reason}`);
  }
}
