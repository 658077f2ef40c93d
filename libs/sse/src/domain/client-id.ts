import { InvalidClientIdError } from './errors/invalid-client-id.error.js';

/** The client id is a token's `sub`: one per user or device, shared by all its connections. */
export type ClientId = string & { readonly __brand: 'ClientId' };

export const CLIENT_ID_MAX_LENGTH = 256;
// Control characters would let an id break a log line or a header.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** @throws InvalidClientIdError */
export function parseClientId(raw: unknown): ClientId {
  if (typeof raw !== 'string' || raw.length === 0) {
    throw new InvalidClientIdError('a client id is a non-empty string');
  }
  if (raw.length > CLIENT_ID_MAX_LENGTH) {
    throw new InvalidClientIdError(`a client id has at most ${CLIENT_ID_MAX_LENGTH} characters`);
  }
  if (CONTROL_CHARACTERS.test(raw)) {
    throw new InvalidClientIdError('a client id has no control characters');
  }
  return raw as ClientId;
}
