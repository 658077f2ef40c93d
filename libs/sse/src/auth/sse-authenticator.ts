import type { IncomingMessage } from 'node:http';
import type { ClientPrincipal } from '../domain/index.js';

/**
 * What an authenticator gets: the request, and the token it carries if any (read from
 * `Authorization: Bearer`, then `?token=`, then the `sse_token` cookie).
 * @publicApi
 */
export interface AuthenticationRequest {
  /** The request's token, undefined when it has none ('' when a header is there but unusable). */
  readonly token: string | undefined;
  readonly headers: IncomingMessage['headers'];
  /** The parsed query string. */
  readonly query: Readonly<Record<string, unknown>>;
  /**
   * The Node request: Express's on the REST routes and with `streamEndpoint: 'controller'`, a
   * plain `IncomingMessage` on the HTTP-server stream route (no Express middleware has run on it).
   */
  readonly raw: IncomingMessage;
}

/**
 * Decides who a request comes from. The module's own is the JWT check its options describe; a
 * host app can give its own as the `authenticator` option (opaque tokens looked up in a store, a
 * session cookie, Passport), and every route of the module uses it: `GET /sse` on both stream
 * endpoints and the REST routes.
 *
 * Return the principal, or undefined for "not authenticated" (401). Throw an `HttpException` for
 * another answer, or a `DomainError` (`IdentityProviderUnavailableError` answers 503 with
 * `Retry-After`). Never put the credential in an error message.
 * @publicApi
 */
export abstract class SseAuthenticator {
  abstract authenticate(request: AuthenticationRequest): Promise<ClientPrincipal | undefined>;
}
