import { createLocalJWKSet, createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import { IdentityProviderUnavailableError } from '../domain/index.js';

/** A key lookup as `jwtVerify` takes it. */
export type KeyResolver = JWTVerifyGetKey;

export interface JwksOptions {
  readonly url: string;
  /** Least time between two fetches caused by an unknown `kid`. */
  readonly cooldownMs: number;
  /** What `Retry-After` says when the set cannot be fetched. */
  readonly retryAfterMs: number;
}

/**
 * Picks the token's key from the identity provider's JWKS with jose's remote key set (cached,
 * chosen by `kid`, fetched again on an unknown `kid` at most once per cooldown, and after 10
 * minutes). What jose leaves open is what a failed fetch means: the token was not at fault, so
 * it becomes `IdentityProviderUnavailableError` (503), not a verification failure (401); and a
 * key held from an earlier fetch still verifies tokens it fits while the provider is down.
 */
export function jwksKeyResolver({ url, cooldownMs, retryAfterMs }: JwksOptions): KeyResolver {
  const remote = createRemoteJWKSet(new URL(url), { cooldownDuration: cooldownMs });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (isTheTokensFault(error)) {
        throw error;
      }
      // The fetch failed (refused, timed out, not 200, not a key set). Keys from before may fit.
      const cached = remote.jwks();
      if (cached) {
        try {
          return await createLocalJWKSet(cached)(header, token);
        } catch (cachedError) {
          if (!(cachedError instanceof errors.JWKSNoMatchingKey)) {
            throw cachedError;
          }
        }
      }
      throw new IdentityProviderUnavailableError(retryAfterMs);
    }
  };
}

/** Errors about the token's header against a key set that was there to look in. */
function isTheTokensFault(error: unknown): boolean {
  return (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JWSInvalid
  );
}
