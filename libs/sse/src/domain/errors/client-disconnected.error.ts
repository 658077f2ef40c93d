import { DomainError } from './domain-error.js';

/** The client was disconnected by the server without leave to reconnect, for a while yet. */
export class ClientDisconnectedError extends DomainError {
  readonly code = 'CLIENT.DISCONNECTED';

  constructor(readonly retryAfterMs: number) {
    super('this client was disconnected by the server and may not reconnect yet');
  }
}
