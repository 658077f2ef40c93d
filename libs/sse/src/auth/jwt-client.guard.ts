import {
  ForbiddenException,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import type { ClientPrincipal } from '../domain/index.js';
import { REQUIRED_ROLE_METADATA } from '../sse.constants.js';
import { authenticateRequest } from './authenticate-request.js';
import { rememberPrincipal } from './request-principal.js';
import { SseAuthenticator } from './sse-authenticator.js';

type GuardedRequest = IncomingMessage & { query?: Record<string, unknown> };

/**
 * Resolves the client through the module's `SseAuthenticator` (the JWT check, or the host's own
 * `authenticator`) and checks `@RequireRole()`. No credential or a bad one is 401, a valid one
 * without the role is 403; no answer ever contains the token. Members are protected so an app
 * can extend the guard; to change who a client is on every route of the module (the
 * HTTP-server stream endpoint does not run guards), give an `authenticator` instead.
 * @publicApi
 */
@Injectable()
export class JwtClientGuard implements CanActivate {
  constructor(
    @Inject(SseAuthenticator) protected readonly authenticator: SseAuthenticator,
    protected readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const principal = await this.authenticate(request);
    rememberPrincipal(request, principal);
    const role = this.reflector.getAllAndOverride<string | undefined>(REQUIRED_ROLE_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (role !== undefined && !principal.roles.includes(role)) {
      throw new ForbiddenException(`This requires the "${role}" role`);
    }
    return true;
  }

  /** Who the request comes from, as the module's authenticator says. */
  protected authenticate(request: GuardedRequest): Promise<ClientPrincipal> {
    return authenticateRequest(this.authenticator, request, request.query ?? {});
  }
}
