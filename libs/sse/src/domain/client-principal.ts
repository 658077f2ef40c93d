import type { ClientId } from './client-id.js';

/** Who is on the other end of a request, as their token says. */
export interface ClientPrincipal {
  readonly clientId: ClientId;
  readonly roles: readonly string[];
  /** Topic patterns the client may subscribe to; undefined allows every topic. */
  readonly topicPatterns?: readonly string[];
  /** When the token stops being valid, in epoch milliseconds; a stream ends then. */
  readonly expiresAt?: number;
}

export const PUBLISHER_ROLE = 'publisher';
