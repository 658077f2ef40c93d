import { parseClientId, PUBLISHER_ROLE, type ClientPrincipal } from '../domain/index.js';
import { readClaim } from './claim-path.js';

/** Where the principal's parts are in the claims (see the `*Claim` options). */
export interface ClaimMapping {
  readonly clientIdClaim: string;
  readonly rolesClaim: string;
  readonly topicsClaim: string;
  /** The identity provider's name for the role that may publish. */
  readonly publisherRole: string;
}

export const DEFAULT_CLAIM_MAPPING: ClaimMapping = {
  clientIdClaim: 'sub',
  rolesClaim: 'roles',
  topicsClaim: 'topics',
  publisherRole: PUBLISHER_ROLE,
};

/**
 * Builds the principal from verified claims: the client id (a string) at `clientIdClaim`; the
 * roles at `rolesClaim` and the topic patterns at `topicsClaim`, when present, as arrays of
 * strings. A client whose
 * roles hold `publisherRole` gets the hub's `publisher` role. Returns undefined for claims that
 * do not have that shape.
 */
export function principalFromClaims(
  claims: Readonly<Record<string, unknown>>,
  mapping: ClaimMapping = DEFAULT_CLAIM_MAPPING,
): ClientPrincipal | undefined {
  let clientId;
  try {
    clientId = parseClientId(readClaim(claims, mapping.clientIdClaim));
  } catch {
    return undefined;
  }
  const roles = rolesOf(readClaim(claims, mapping.rolesClaim));
  const topics = readClaim(claims, mapping.topicsClaim);
  if (!roles || (topics !== undefined && !isStringArray(topics))) {
    return undefined;
  }
  if (mapping.publisherRole !== PUBLISHER_ROLE && roles.includes(mapping.publisherRole)) {
    roles.push(PUBLISHER_ROLE);
  }
  const exp = claims.exp;
  return {
    clientId,
    roles,
    topicPatterns: topics,
    expiresAt: typeof exp === 'number' ? exp * 1000 : undefined,
  };
}

function rolesOf(value: unknown): string[] | undefined {
  if (value === undefined) {
    return [];
  }
  return isStringArray(value) ? [...value] : undefined;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
