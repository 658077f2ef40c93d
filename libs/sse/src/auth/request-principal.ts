import type { ClientPrincipal } from '../domain/index.js';
import { PRINCIPAL_REQUEST_KEY } from '../sse.constants.js';

type RequestWithPrincipal = { [PRINCIPAL_REQUEST_KEY]?: ClientPrincipal };

/** Leaves the authenticated client on the request, for `@CurrentClient()` and access logs. */
export function rememberPrincipal(request: object, principal: ClientPrincipal): void {
  (request as RequestWithPrincipal)[PRINCIPAL_REQUEST_KEY] = principal;
}

/**
 * The client the module authenticated on this request (its REST routes and `GET /sse`, on either
 * stream endpoint), or undefined before authentication or when it failed. For access logs.
 * @publicApi
 */
export function principalOf(request: object): ClientPrincipal | undefined {
  return (request as RequestWithPrincipal)[PRINCIPAL_REQUEST_KEY];
}
