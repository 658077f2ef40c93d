import { DomainError } from './domain-error.js';

/** The broker behind a port cannot take the call now; nothing was accepted. */
export class BrokerUnavailableError extends DomainError {
  readonly code = 'BROKER.UNAVAILABLE';

  constructor(reason: string) {
    super(`broker unavailable: ${reason}`);
  }
}
