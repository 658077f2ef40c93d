import { Logger } from '@nestjs/common';

/** Signs tokens in development only; anyone reading this file can forge them. */
export const INSECURE_DEV_SECRET = 'sse-hub-insecure-development-secret';

/**
 * JWT_SECRET, or in development a clearly insecure fallback (logged). In production an unset
 * secret stops start-up: a hub that anyone can forge tokens for must not run.
 */
export function resolveJwtSecret(
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = (message) => new Logger('SseConfig').warn(message),
): string {
  const secret = env.JWT_SECRET;
  if (secret) {
    return secret;
  }
  if (env.NODE_ENV === 'production') {
    throw new Error('sse-hub: JWT_SECRET must be set when NODE_ENV=production');
  }
  warn('JWT_SECRET is not set: using an INSECURE development secret. Set JWT_SECRET before deploying.');
  return INSECURE_DEV_SECRET;
}
