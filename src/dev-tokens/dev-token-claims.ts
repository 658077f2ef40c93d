/** How long a dev token lives: long enough for an afternoon of trying things. */
export const DEV_TOKEN_TTL_SECONDS = 12 * 60 * 60;

export interface DevTokenClaims {
  sub: string;
  roles?: string[];
  topics?: string[];
}

/** Drops empty optional claims, so "no topics claim" stays "every topic allowed". */
export function devTokenClaims(request: DevTokenClaims): DevTokenClaims {
  return {
    sub: request.sub,
    ...(request.roles?.length ? { roles: request.roles } : {}),
    ...(request.topics?.length ? { topics: request.topics } : {}),
  };
}
