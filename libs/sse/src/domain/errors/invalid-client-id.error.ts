import { DomainError } from './domain-error.js';

export class InvalidClientIdError extends DomainError {
  readonly code = 'CLIENT.INVALID_ID';

  constructor(reason: string) {
    super(`invalid client id: ${reason}`);
  }
}
