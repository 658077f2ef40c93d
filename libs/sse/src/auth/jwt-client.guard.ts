import {
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { JwtService } from '@nestjs/jwt';
import type { ClientPrincipal } from '../domain/index.js';
import { JWT_ALGORITHM, PRINCIPAL_REQUEST_KEY, REQUIRED_ROLE_METADATA } from '../sse.constants.js';
import { SSE_JWT_SERVICE } from '../sse-resolved-options.js';
import { principalFromClaims } from './principal-from-claims.js';
import { extractToken, type TokenSources } from './token-extractor.js';

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
    const token = extractToken(request);
    if (token === undefined) {
      throw new UnauthorizedException('A token is required');
    }
    const principal = await this.authenticate(token);
    request[PRINCIPAL_REQUEST_KEY] = principal;
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
  protected async authenticate(token: string): Promise<ClientPrincipal> {
    let claims: Record<string, unknown>;
    try {
      claims = await this.jwt.verifyAsync<Record<string, unknown>>(token, {
        algorithms: [JWT_ALGORITHM],
      });
    } catch {
      // The library's message can quote parts of the token; ours never does.
      throw new UnauthorizedException('The token is invalid or expired');
    }
    const principal = principalFromClaims(claims);
    if (!principal) {
      throw new UnauthorizedException('The token has no valid "sub" or malformed claims');
    }
    return principal;
  }
}
