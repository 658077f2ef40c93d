import { JwtService, type JwtVerifyOptions } from '@nestjs/jwt';
import type { JWK } from 'jose';
import { jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { algorithmsForKey, JWKS_DEFAULT_ALGORITHMS, SECRET_ALGORITHMS } from './jwt-algorithms.js';
import { jwksKeyResolver, type KeyResolver } from './jwks-key-resolver.js';

/** The verification options of the module (see `SseModuleOptions`). */
export interface TokenVerificationOptions {
  readonly jwtSecret?: string;
  readonly jwtPublicKey?: string | JWK;
  readonly jwksUrl?: string;
  readonly jwtAlgorithms?: readonly string[];
  readonly jwtIssuer?: string | readonly string[];
  readonly jwtAudience?: string | readonly string[];
  readonly jwtClockToleranceSeconds: number;
  readonly requireTokenExpiry: boolean;
  readonly maxTokenAgeSeconds?: number;
  readonly jwksCooldownMs: number;
}

/** Checks a token's signature and claims; resolves its claims, or rejects. */
export type TokenVerifier = (token: string) => Promise<JWTPayload>;

/** `Retry-After` when the JWKS cannot be fetched: soon, since the fetch is tried again then. */
export const JWKS_RETRY_AFTER_MS = 5_000;

/**
 * A verifier for the key the options name (a secret, a public key or a JWKS), with the accepted
 * algorithms pinned to what that key can verify, and the issuer, audience, expiry, `nbf` and age
 * checks they ask for. jose does the cryptography and the standard claims; what it leaves to the
 * caller is here: an `iat` in the future is refused even without `maxTokenAgeSeconds`.
 * @throws jose's errors (the token is bad) or `IdentityProviderUnavailableError`
 */
export function createTokenVerifier(options: TokenVerificationOptions): TokenVerifier {
  if (options.jwtSecret !== undefined) {
    return secretVerifier(options.jwtSecret, options);
  }
  const { key, algorithms } = keyOf(options);
  const tolerance = options.jwtClockToleranceSeconds;
  const verifyOptions: JWTVerifyOptions = {
    algorithms: [...algorithms],
    issuer: options.jwtIssuer as string | string[] | undefined,
    audience: options.jwtAudience as string | string[] | undefined,
    clockTolerance: tolerance,
    requiredClaims: options.requireTokenExpiry ? ['exp'] : [],
    maxTokenAge: options.maxTokenAgeSeconds,
  };
  return async (token) => {
    const { payload } =
      typeof key === 'function' ? await jwtVerify(token, key, verifyOptions) : await jwtVerify(token, key, verifyOptions);
    return refuseFutureIat(payload, tolerance);
  };
}

/**
 * A shared secret's tokens, checked by @nestjs/jwt (jsonwebtoken) in the calling turn. jose checks
 * an HMAC through WebCrypto, an asynchronous job on the thread pool that cost ~75 µs of a stream's
 * set-up (a third of what a plain node:http server spends on a whole connection); node:crypto's
 * HMAC takes a few. The claim checks are the same: algorithms pinned, issuer, audience, `exp`,
 * `nbf` and `iat` age with the clock tolerance; `exp` required when asked, `iat` not in the future.
 */
function secretVerifier(secret: string, options: TokenVerificationOptions): TokenVerifier {
  const tolerance = options.jwtClockToleranceSeconds;
  const jwt = new JwtService({
    // A KeyObject: given a string, jsonwebtoken first tries it as a public key (~400 µs a call).
    secret: createSecretKey(Buffer.from(secret, 'utf8')),
    verifyOptions: {
      algorithms: [...(options.jwtAlgorithms ?? [SECRET_ALGORITHMS[0]])] as JwtVerifyOptions['algorithms'],
      issuer: options.jwtIssuer as string | [string, ...string[]] | undefined,
      audience: options.jwtAudience as string | [string, ...string[]] | undefined,
      clockTolerance: tolerance,
      maxAge: options.maxTokenAgeSeconds,
    },
  });
  return async (token) => {
    const payload = jwt.verify<JWTPayload>(token);
    if (typeof payload !== 'object' || payload === null) {
      throw new Error('the payload is not a claims set');
    }
    if (options.requireTokenExpiry && typeof payload.exp !== 'number') {
      throw new Error('"exp" is required');
    }
    return refuseFutureIat(payload, tolerance);
  };
}

/** What jose and jsonwebtoken leave to the caller: an `iat` in the future is refused even without an age limit. */
function refuseFutureIat(payload: JWTPayload, toleranceSeconds: number): JWTPayload {
  if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + toleranceSeconds) {
    throw new Error('"iat" is in the future');
  }
  return payload;
}

function keyOf(options: TokenVerificationOptions): { key: KeyObject | KeyResolver; algorithms: readonly string[] } {
  if (options.jwtPublicKey !== undefined) {
    const key = publicKeyOf(options.jwtPublicKey);
    return { key, algorithms: options.jwtAlgorithms ?? algorithmsForKey(key) };
  }
  if (options.jwksUrl !== undefined) {
    return {
      key: jwksKeyResolver({ url: options.jwksUrl, cooldownMs: options.jwksCooldownMs, retryAfterMs: JWKS_RETRY_AFTER_MS }),
      algorithms: options.jwtAlgorithms ?? JWKS_DEFAULT_ALGORITHMS,
    };
  }
  throw new Error('sse-hub: no jwtSecret, jwtPublicKey or jwksUrl to verify tokens with');
}

/** A PEM (a private key's public half is taken too) or a JWK, as a public KeyObject. */
export function publicKeyOf(key: string | JWK): KeyObject {
  return typeof key === 'string' ? createPublicKey(key) : createPublicKey({ key: key as never, format: 'jwk' });
}
