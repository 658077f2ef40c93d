import { UnauthorizedException } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { ClientPrincipal } from '../domain/index.js';
import type { SseAuthenticator } from './sse-authenticator.js';
import { extractToken } from './token-extractor.js';

/**
 * Who `request` comes from, as the module's authenticator says: the one check behind
 * `JwtClientGuard` (REST routes, the controller stream endpoint) and the HTTP-server stream route,
 * so both ways of serving `GET /sse` give the same answer.
 * @throws UnauthorizedException when the authenticator finds no principal, or what it throws
 */
export async function authenticateRequest(
  authenticator: SseAuthenticator,
  raw: IncomingMessage,
  query: Readonly<Record<string, unknown>>,
): Promise<ClientPrincipal> {
  const { headers } = raw;
  const principal = await authenticator.authenticate({ token: extractToken({ headers, query }), headers, query, raw });
  if (!principal) {
    throw new UnauthorizedException('Authentication is required');
  }
  return principal;
}
