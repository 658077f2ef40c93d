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
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + tolerance) {
      throw new Error('"iat" is in the future');
    }
    return payload;
  };
}

function keyOf(options: TokenVerificationOptions): { key: KeyObject | KeyResolver; algorithms: readonly string[] } {
  if (options.jwtSecret !== undefined) {
    const algorithms = options.jwtAlgorithms ?? [SECRET_ALGORITHMS[0]];
    return { key: secretKeyResolver(options.jwtSecret, algorithms), algorithms };
  }
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

/**
 * The secret as a WebCrypto HMAC key per accepted algorithm, imported once: given the bytes or a
 * KeyObject, jose imports the key again on every verify. jose has checked the algorithm against
 * the accepted ones before it asks for the key.
 */
function secretKeyResolver(secret: string, algorithms: readonly string[]): KeyResolver {
  const bytes = createSecretKey(Buffer.from(secret, 'utf8')).export();
  const keys = new Map(
    algorithms.map((alg) => [
      alg,
      crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: `SHA-${alg.slice(2)}` }, false, ['verify']),
    ]),
  );
  return async ({ alg }) => {
    const key = alg === undefined ? undefined : keys.get(alg);
    if (key === undefined) {
      throw new Error('algorithm not accepted');
    }
    return key;
  };
}

/** A PEM (a private key's public half is taken too) or a JWK, as a public KeyObject. */
export function publicKeyOf(key: string | JWK): KeyObject {
  return typeof key === 'string' ? createPublicKey(key) : createPublicKey({ key: key as never, format: 'jwk' });
}
