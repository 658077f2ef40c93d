/** Token of the options after defaults and validation (`ResolvedSseOptions`). */
export const SSE_RESOLVED_OPTIONS = Symbol('SseResolvedOptions');

/** Token of the JwtService the guard verifies client tokens with, kept apart from the host's. */
export const SSE_JWT_SERVICE = Symbol('SseJwtService');

/** Token of the module's route prefix (the `path` extra of `forRoot`), '' when none. */
export const SSE_ROUTE_PATH = Symbol('SseRoutePath');
