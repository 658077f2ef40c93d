import { DomainError } from './domain-error.js';

/**
 * The identity provider's keys (a JWKS) could not be fetched and no key held from an earlier
 * fetch fits the token: the token may well be good, so this is the hub's trouble (503), not the
 * client's (401). It clears by itself once the key set can be fetched again.
 */
export class IdentityProviderUnavailableError extends DomainError {
  readonly code = 'AUTH.PROVIDER_UNAVAILABLE';

  constructor(
    /** When the caller may try again. */
    readonly retryAfterMs: number,
  ) {
    super('the identity provider\'s signing keys cannot be fetched; try again shortly');
  }
}
