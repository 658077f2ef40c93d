/** Where the guard looks for a token besides the Authorization header. */
export const TOKEN_QUERY_PARAMETER = 'token';
export const TOKEN_COOKIE = 'sse_token';

/** Metadata key of `@RequireRole()`. */
export const REQUIRED_ROLE_METADATA = 'sse:required-role';

/** Property of the request where the guard leaves the principal. */
export const PRINCIPAL_REQUEST_KEY = 'ssePrincipal';
