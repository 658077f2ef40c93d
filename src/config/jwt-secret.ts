import { Logger } from '@nestjs/common';

/** Signs tokens in development only; anyone reading this file can forge them. */
export const INSECURE_DEV_SECRET = 'sse-hub-insecure-development-secret';

/** Whether tokens come from an identity provider (`JWT_PUBLIC_KEY` or `JWT_JWKS_URL`). */
export const usesIdentityProvider = (env: NodeJS.ProcessEnv): boolean => Boolean(env.JWT_PUBLIC_KEY || env.JWT_JWKS_URL);

/**
 * JWT_SECRET; none when tokens come from an identity provider (`JWT_PUBLIC_KEY`, `JWT_JWKS_URL`);
 * otherwise, in development, a clearly insecure fallback (logged). In production a hub with no
 * way to verify tokens stops start-up: one that anyone can forge tokens for must not run.
 */
export function resolveJwtSecret(
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = (message) => new Logger('SseConfig').warn(message),
): string | undefined {
  const secret = env.JWT_SECRET;
  if (usesIdentityProvider(env)) {
    if (secret) {
      throw new Error('sse-hub: set JWT_SECRET or JWT_PUBLIC_KEY/JWT_JWKS_URL, not both');
    }
    return undefined;
  }
  if (secret) {
    return secret;
  }
  if (env.NODE_ENV === 'production') {
    throw new Error('sse-hub: JWT_SECRET (or JWT_PUBLIC_KEY or JWT_JWKS_URL) must be set when NODE_ENV=production');
  }
  warn('JWT_SECRET is not set: using an INSECURE development secret. Set JWT_SECRET before deploying.');
  return INSECURE_DEV_SECRET;
}
