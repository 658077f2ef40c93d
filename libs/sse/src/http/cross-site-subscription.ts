import { ForbiddenException } from '@nestjs/common';
import { extractToken, type TokenSources } from '../auth/token-extractor.js';

/**
 * `GET /sse?topic=` changes state (it subscribes), and a GET is what any page can make a browser
 * send with its cookies: a link, an `<img>`, an `EventSource`. So a token that came from the
 * `sse_token` cookie does not subscribe through the query on a request the browser marks as
 * cross-site (`Sec-Fetch-Site: cross-site`, sent by every current browser): a page on another
 * site could otherwise subscribe a signed-in victim. The cookie's `SameSite` is the first line
 * (the host sets it, see the README); this holds when a host set it to `None` or not at all.
 * The stream itself still opens cross-site without `?topic=`, and `POST /sse/subscriptions`
 * (a JSON body, which a browser sends cross-site only after a CORS preflight) subscribes.
 * @throws ForbiddenException
 */
export function refuseCrossSiteCookieSubscription(request: TokenSources, topics: readonly string[]): void {
  if (topics.length === 0 || request.headers['sec-fetch-site'] !== 'cross-site') {
    return;
  }
  if (tokenCameFromCookie(request)) {
    throw new ForbiddenException(
      'A cross-site request cannot subscribe with the sse_token cookie; use POST /sse/subscriptions, ' +
        'or send the token in the Authorization header or ?token=',
    );
  }
}

/** Whether the request's token is the cookie's: no header or query token comes before it. */
function tokenCameFromCookie({ headers, query }: TokenSources): boolean {
  return (
    extractToken({ headers, query }) !== undefined &&
    extractToken({ headers: { ...headers, cookie: undefined }, query }) === undefined
  );
}
