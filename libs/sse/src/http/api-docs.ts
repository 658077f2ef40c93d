import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiForbiddenResponse,
  ApiSecurity,
  ApiUnauthorizedResponse,
  type DocumentBuilder,
} from '@nestjs/swagger';
import { TOKEN_COOKIE, TOKEN_QUERY_PARAMETER } from '../sse.constants.js';
import { ErrorBodyDto } from './dto/error-body.dto.js';

/** Names of the OpenAPI security schemes the routes refer to: the three places a token may be. */
const SECURITY = { bearer: 'bearer', query: 'token-query', cookie: 'token-cookie' } as const;

/**
 * Adds the hub's security schemes to a host's OpenAPI document: a JWT as a bearer token, as the
 * `token` query parameter (for EventSource), or as the `sse_token` cookie.
 * @publicApi
 */
export function addSseSecuritySchemes(builder: DocumentBuilder): DocumentBuilder {
  return builder
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, SECURITY.bearer)
    .addApiKey({ type: 'apiKey', in: 'query', name: TOKEN_QUERY_PARAMETER }, SECURITY.query)
    .addCookieAuth(TOKEN_COOKIE, { type: 'apiKey', in: 'cookie', name: TOKEN_COOKIE }, SECURITY.cookie);
}

/** Documents a route behind `JwtClientGuard`: any one of the three token places, 401 and 403. */
export const ApiClientAuth = () =>
  applyDecorators(
    ApiBearerAuth(SECURITY.bearer),
    ApiSecurity(SECURITY.query),
    ApiCookieAuth(SECURITY.cookie),
    ApiUnauthorizedResponse({ description: 'No token, or a bad or expired one', type: ErrorBodyDto }),
    ApiForbiddenResponse({ description: 'Valid token, but not allowed', type: ErrorBodyDto }),
  );
