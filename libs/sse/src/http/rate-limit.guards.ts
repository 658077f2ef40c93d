import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { FixedWindowRateLimiter } from '../application/fixed-window-rate-limiter.js';
import { RateLimitedError, type ClientPrincipal } from '../domain/index.js';
import { PRINCIPAL_REQUEST_KEY } from '../sse.constants.js';
import type { ResolvedSseOptions } from '../sse-options.validation.js';
import { SSE_RESOLVED_OPTIONS } from '../sse-resolved-options.js';

interface LimitedRequest {
  ip?: string;
  socket?: { remoteAddress?: string };
  [PRINCIPAL_REQUEST_KEY]?: ClientPrincipal;
}

/**
 * Limits stream connection attempts per IP address. It runs before the token is verified, so a
 * flood of bad tokens costs little.
 */
@Injectable()
export class ConnectRateGuard implements CanActivate {
  private readonly limiter?: FixedWindowRateLimiter;

  constructor(@Inject(SSE_RESOLVED_OPTIONS) options: ResolvedSseOptions) {
    if (options.connectRatePerMinute > 0) {
      this.limiter = new FixedWindowRateLimiter(options.connectRatePerMinute, 60_000);
    }
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<LimitedRequest>();
    const address = request.ip ?? request.socket?.remoteAddress ?? 'unknown';
    const wait = this.limiter?.take(address) ?? 0;
    if (wait > 0) {
      throw new RateLimitedError('connection attempts from this address', wait);
    }
    return true;
  }
}

/** Limits events per second per publisher (the token's client id); runs after JwtClientGuard. */
@Injectable()
export class PublishRateGuard implements CanActivate {
  private readonly limiter?: FixedWindowRateLimiter;

  constructor(@Inject(SSE_RESOLVED_OPTIONS) options: ResolvedSseOptions) {
    if (options.publishRatePerSecond > 0) {
      this.limiter = new FixedWindowRateLimiter(options.publishRatePerSecond, 1_000);
    }
  }

  canActivate(context: ExecutionContext): boolean {
    const publisher = context.switchToHttp().getRequest<LimitedRequest>()[PRINCIPAL_REQUEST_KEY];
    const wait = publisher ? (this.limiter?.take(publisher.clientId) ?? 0) : 0;
    if (wait > 0) {
      throw new RateLimitedError('events from this publisher', wait);
    }
    return true;
  }
}
