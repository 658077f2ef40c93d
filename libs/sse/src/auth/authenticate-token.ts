import { UnauthorizedException } from '@nestjs/common';
import type { JwtService } from '@nestjs/jwt';
import type { ClientPrincipal } from '../domain/index.js';
import { JWT_ALGORITHM } from '../sse.constants.js';
import { principalFromClaims } from './principal-from-claims.js';
import { extractToken, type TokenSources } from './token-extractor.js';

/**
 * The request's token (see `extractToken` for where it is looked for).
 * @throws UnauthorizedException when there is none
 */
export function requireToken(request: TokenSources): string {
  const token = extractToken(request);
  if (token === undefined) {
    throw new UnauthorizedException('A token is required');
  }
  return token;
}

/**
 * Verifies a client token with the algorithm pinned and builds the principal from its claims:
 * the one check behind `JwtClientGuard` and the stream route served on the HTTP server.
 * @throws UnauthorizedException for a bad signature, an expired token or unusable claims
 */
export async function authenticateToken(jwt: JwtService, token: string): Promise<ClientPrincipal> {
  let claims: Record<string, unknown>;
  try {
    claims = await jwt.verifyAsync<Record<string, unknown>>(token, { algorithms: [JWT_ALGORITHM] });
  } catch {
    // The library's message can quote parts of the token; ours never does.
    throw new UnauthorizedException('The token is invalid or expired');
  }
  const principal = principalFromClaims(claims);
  if (!principal) {
    throw new UnauthorizedException('The token has no valid "sub" or malformed claims');
  }
  return principal;
}
