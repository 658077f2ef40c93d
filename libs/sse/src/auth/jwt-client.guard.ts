import {
  ForbiddenException,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { JwtService } from '@nestjs/jwt';
import type { ClientPrincipal } from '../domain/index.js';
import { PRINCIPAL_REQUEST_KEY, REQUIRED_ROLE_METADATA } from '../sse.constants.js';
import { SSE_JWT_SERVICE } from './sse-jwt.provider.js';
import { authenticateToken, requireToken } from './authenticate-token.js';
import { rememberPrincipal } from './request-principal.js';
import type { TokenSources } from './token-extractor.js';

type GuardedRequest = TokenSources & { [PRINCIPAL_REQUEST_KEY]?: ClientPrincipal };

/**
 * Resolves the client from its JWT and checks `@RequireRole()`. No token or a bad one is 401, a
 * valid one without the role is 403; no answer ever contains the token. Members are protected so
 * an app can extend the guard (say, to look clients up in its own store).
 * @publicApi
 */
@Injectable()
export class JwtClientGuard implements CanActivate {
  constructor(
    @Inject(SSE_JWT_SERVICE) protected readonly jwt: JwtService,
    protected readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const principal = await this.authenticate(requireToken(request));
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

  /** Verifies the token with the algorithm pinned and builds the principal from its claims. */
  protected authenticate(token: string): Promise<ClientPrincipal> {
    return authenticateToken(this.jwt, token);
  }
}
