import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ClientPrincipal } from '../domain/index.js';
import { PRINCIPAL_REQUEST_KEY } from '../sse.constants.js';

/**
 * The principal the guard resolved for this request (`JwtClientGuard` must run first).
 * @publicApi
 */
export const CurrentClient = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ClientPrincipal =>
    context.switchToHttp().getRequest<Record<string, ClientPrincipal>>()[PRINCIPAL_REQUEST_KEY],
);
