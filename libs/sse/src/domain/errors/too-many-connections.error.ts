import { DomainError } from './domain-error.js';

/** The client already holds as many streams as one client may. */
export class TooManyConnectionsError extends DomainError {
  readonly code = 'CLIENT.TOO_MANY_CONNECTIONS';

  constructor(readonly limit: number) {
    super(`a client may hold at most ${limit} open streams`);
  }
}
