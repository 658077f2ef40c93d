import { DomainError } from './domain-error.js';

/** The client's token limits it to some topic patterns, and this topic matches none of them. */
export class TopicNotAllowedError extends DomainError {
  readonly code = 'TOPIC.NOT_ALLOWED';

  constructor(readonly topic: string) {
    super(`topic "${topic}" is not allowed for this client`);
  }
}
