import type { ClientPrincipal } from '../domain/index.js';
import { PRINCIPAL_REQUEST_KEY } from '../sse.constants.js';

type RequestWithPrincipal = { [PRINCIPAL_REQUEST_KEY]?: ClientPrincipal; ip?: string };

/** Addresses of the stream requests the HTTP server answers itself (Express gives others `ip`). */
const streamAddresses = new WeakMap<object, string>();

/** Leaves the client's address (as `trust proxy` allows) on a request Express did not see. */
export function rememberClientAddress(request: object, address: string): void {
  streamAddresses.set(request, address);
}

/**
 * The client's address as the module counts it: through `X-Forwarded-For` as far as the
 * `trustProxy` option (Express's `trust proxy`) allows, on both stream endpoints and the REST
 * routes. For access logs.
 * @publicApi
 */
export function clientAddressOf(request: object): string | undefined {
  return (request as RequestWithPrincipal).ip ?? streamAddresses.get(request);
}

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
