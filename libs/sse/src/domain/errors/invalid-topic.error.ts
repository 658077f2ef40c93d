import { DomainError } from './domain-error.js';

export class InvalidTopicError extends DomainError {
  readonly code = 'TOPIC.INVALID_NAME';

  constructor(reason: string) {
    super(`invalid topic: ${reason}`);
  }
}
