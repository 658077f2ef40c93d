import type { SseModuleOptions } from 'nestjs-sse-hub';
import { flagFromEnv, intFromEnv, isProduction } from './env.js';
import { resolveJwtSecret } from './jwt-secret.js';

type JwtOptions = Pick<
  SseModuleOptions,
  | 'jwtSecret'
  | 'jwtPublicKey'
  | 'jwksUrl'
  | 'jwtAlgorithms'
  | 'jwtIssuer'
  | 'jwtAudience'
  | 'jwtClockToleranceSeconds'
  | 'requireTokenExpiry'
  | 'maxTokenAgeSeconds'
  | 'clientIdClaim'
  | 'rolesClaim'
  | 'topicsClaim'
  | 'publisherRole'
>;

/**
 * How client tokens are verified and read, from the environment: `JWT_SECRET`, or
 * `JWT_PUBLIC_KEY` (PEM; `\n` escapes allowed, for env files) or `JWT_JWKS_URL`; `JWT_ISSUER`,
 * `JWT_AUDIENCE`, `JWT_ALGORITHMS` (comma-separated); `JWT_CLOCK_TOLERANCE_SECONDS`,
 * `JWT_REQUIRE_EXP` (on by default in production), `JWT_MAX_TOKEN_AGE_SECONDS`; the claim paths
 * `JWT_CLIENT_ID_CLAIM`, `JWT_ROLES_CLAIM`, `JWT_TOPICS_CLAIM` and `JWT_PUBLISHER_ROLE`.
 */
export function jwtOptionsFromEnv(env: NodeJS.ProcessEnv): JwtOptions {
  return {
    jwtSecret: resolveJwtSecret(env),
    jwtPublicKey: env.JWT_PUBLIC_KEY ? env.JWT_PUBLIC_KEY.replaceAll('\\n', '\n') : undefined,
    jwksUrl: env.JWT_JWKS_URL || undefined,
    jwtAlgorithms: listFromEnv(env.JWT_ALGORITHMS),
    jwtIssuer: listFromEnv(env.JWT_ISSUER),
    jwtAudience: listFromEnv(env.JWT_AUDIENCE),
    jwtClockToleranceSeconds: intFromEnv(env, 'JWT_CLOCK_TOLERANCE_SECONDS'),
    requireTokenExpiry: flagFromEnv(env, 'JWT_REQUIRE_EXP', isProduction(env)),
    maxTokenAgeSeconds: intFromEnv(env, 'JWT_MAX_TOKEN_AGE_SECONDS'),
    clientIdClaim: env.JWT_CLIENT_ID_CLAIM || undefined,
    rolesClaim: env.JWT_ROLES_CLAIM || undefined,
    topicsClaim: env.JWT_TOPICS_CLAIM || undefined,
    publisherRole: env.JWT_PUBLISHER_ROLE || undefined,
  };
}

/** `a, b` -> ['a', 'b']; unset or empty -> undefined. */
function listFromEnv(raw: string | undefined): string[] | undefined {
  const items = (raw ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');
  return items.length > 0 ? items : undefined;
}
