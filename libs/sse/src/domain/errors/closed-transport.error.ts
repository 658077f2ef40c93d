import { DomainError } from './domain-error.js';

/** An adapter was used after it was closed (Mercure's ErrClosedTransport). */
export class ClosedTransportError extends DomainError {
  readonly code = 'TRANSPORT.CLOSED';

  constructor(adapter: string) {
    super(`${adapter} is closed`);
  }
}
