import { UnauthorizedException } from '@nestjs/common';
import type { JWTPayload } from 'jose';
import { DomainError, type ClientPrincipal } from '../domain/index.js';
import { principalFromClaims, type ClaimMapping } from './principal-from-claims.js';
import { SseAuthenticator, type AuthenticationRequest } from './sse-authenticator.js';
import type { TokenVerifier } from './token-verifier.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

/** Tokens whose verification is remembered (~1 KB each). */
const CACHED_TOKENS = 10_000;
/** Longest a verification is remembered, whatever the token's `exp` says. */
const CACHE_LIMIT_MS = 5 * 60_000;

/**
 * The module's own authenticator: the request's JWT, verified as the options say (secret, public
 * key or JWKS, algorithms pinned, issuer/audience/lifetime checks), mapped to a principal through
 * the claim options. Every failure is the same 401 with a message that never quotes the token.
 */
export class JwtAuthenticator extends SseAuthenticator {
  private readonly cache = new VerifiedTokenCache(CACHED_TOKENS);

  constructor(
    private readonly verify: TokenVerifier,
    private readonly mapping: ClaimMapping,
    private readonly maxTokenAgeSeconds?: number,
  ) {
    super();
  }

  async authenticate({ token }: AuthenticationRequest): Promise<ClientPrincipal> {
    if (token === undefined) {
      throw new UnauthorizedException('A token is required');
    }
    const cached = this.cache.get(token);
    if (cached) {
      return cached;
    }
    let claims: JWTPayload;
    try {
      claims = await this.verify(token);
    } catch (error) {
      if (error instanceof DomainError) {
        throw error; // the identity provider is unreachable: not the token's fault
      }
      // The library's message can quote parts of the token; ours never does.
      throw new UnauthorizedException('The token is invalid or expired');
    }
    const principal = principalFromClaims(claims, this.mapping);
    if (!principal) {
      throw new UnauthorizedException('The token has no valid client id or malformed claims');
    }
    this.cache.set(token, principal, this.validUntil(claims));
    return principal;
  }

  /** The end of the token's validity as the checks see it, but no later than the cache limit. */
  private validUntil({ exp, iat }: JWTPayload): number {
    const ends = [Date.now() + CACHE_LIMIT_MS];
    if (typeof exp === 'number') ends.push(exp * 1000);
    if (typeof iat === 'number' && this.maxTokenAgeSeconds !== undefined) ends.push((iat + this.maxTokenAgeSeconds) * 1000);
    return Math.min(...ends);
  }
}
