import { DomainError } from './domain-error.js';

export class InvalidEventIdError extends DomainError {
  readonly code = 'EVENT.INVALID_ID';

  constructor() {
    super('the last event id is not an id this hub issued');
  }
}
