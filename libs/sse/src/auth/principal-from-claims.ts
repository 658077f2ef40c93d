import { parseClientId, type ClientPrincipal } from '../domain/index.js';

/**
 * Builds the principal from verified claims: `sub` is the client id; `roles` and `topics`, when
 * present, must be arrays of strings. Returns undefined for claims that do not have that shape.
 */
export function principalFromClaims(claims: Record<string, unknown>): ClientPrincipal | undefined {
  let clientId;
  try {
    clientId = parseClientId(claims.sub);
  } catch {
    return undefined;
  }
  const roles = claims.roles ?? [];
  const topics = claims.topics;
  if (!isStringArray(roles) || (topics !== undefined && !isStringArray(topics))) {
    return undefined;
  }
  const exp = claims.exp;
  return {
    clientId,
    roles,
    topicPatterns: topics,
    expiresAt: typeof exp === 'number' ? exp * 1000 : undefined,
  };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
