import { DomainError } from './domain-error.js';

export class TooManyTopicsError extends DomainError {
  readonly code = 'TOPIC.TOO_MANY';

  constructor(readonly limit: number) {
    super(`a client may hold at most ${limit} topics`);
  }
}
