import { parse as parseCookies } from 'cookie';
import { TOKEN_COOKIE, TOKEN_QUERY_PARAMETER } from '../sse.constants.js';

/** The parts of a request a token can come from. */
export interface TokenSources {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly query?: Record<string, unknown>;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The request's token, looked for in a fixed order: `Authorization: Bearer`, then the `token`
 * query parameter (EventSource cannot set headers), then the `sse_token` cookie. The first place
 * that has one wins, even if its token is bad: a bad header never falls back to a cookie.
 */
export function extractToken({ headers, query }: TokenSources): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && authorization.length > 0) {
    return BEARER.exec(authorization)?.[1] ?? '';
  }
  const fromQuery = query?.[TOKEN_QUERY_PARAMETER];
  if (typeof fromQuery === 'string' && fromQuery.length > 0) {
    return fromQuery;
  }
  if (Array.isArray(fromQuery)) {
    return ''; // several tokens: ambiguous, so refused rather than guessed
  }
  const cookieHeader = headers.cookie;
  if (typeof cookieHeader === 'string') {
    const fromCookie = parseCookies(cookieHeader)[TOKEN_COOKIE];
    if (fromCookie) {
      return fromCookie;
    }
  }
  return undefined;
}
