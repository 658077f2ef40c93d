import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { FixedWindowRateLimiter } from '../application/fixed-window-rate-limiter.js';
import { RateLimitedError, type ClientPrincipal } from '../domain/index.js';
import { PRINCIPAL_REQUEST_KEY } from '../sse.constants.js';
import { SSE_RESOLVED_OPTIONS, type ResolvedSseOptions } from '../sse-resolved-options.js';

interface LimitedRequest {
  ip?: string;
  socket?: { remoteAddress?: string };
  [PRINCIPAL_REQUEST_KEY]?: ClientPrincipal;
}

/** Counts each request against its key; a limit of 0 lets everything through. */
abstract class RateLimitGuard implements CanActivate {
  private readonly limiter?: FixedWindowRateLimiter;

  protected constructor(limit: number, windowMs: number, private readonly what: string) {
    if (limit > 0) {
      this.limiter = new FixedWindowRateLimiter(limit, windowMs);
    }
  }

  /** The key a request counts against, or undefined for one that is not limited. */
  protected abstract keyOf(request: LimitedRequest): string | undefined;

  canActivate(context: ExecutionContext): boolean {
    if (this.limiter) {
      this.count(this.keyOf(context.switchToHttp().getRequest<LimitedRequest>()));
    }
    return true;
  }

  /**
   * Counts one request against `key` (undefined: not limited).
   * @throws RateLimitedError past the limit
   */
  protected count(key: string | undefined, calls = 1): void {
    const wait = key === undefined ? 0 : (this.limiter?.take(key, calls) ?? 0);
    if (wait > 0) {
      throw new RateLimitedError(this.what, wait);
    }
  }
}

/**
 * Limits stream connection attempts per IP address. It runs before the token is verified, so a
 * flood of bad tokens costs little.
 */
@Injectable()
export class ConnectRateGuard extends RateLimitGuard {
  constructor(@Inject(SSE_RESOLVED_OPTIONS) options: ResolvedSseOptions) {
    super(options.connectRatePerMinute, 60_000, 'connection attempts from this address');
  }

  protected keyOf(request: LimitedRequest): string {
    return request.ip ?? request.socket?.remoteAddress ?? 'unknown';
  }

  /**
   * Counts one attempt from `address`, for the stream route served on the HTTP server (which
   * has no execution context); it shares this guard's counts.
   * @throws RateLimitedError past the limit
   */
  countAttemptFrom(address: string): void {
    this.count(address);
  }
}

/** Limits events per second per publisher (the token's client id); runs after JwtClientGuard. */
@Injectable()
export class PublishRateGuard extends RateLimitGuard {
  constructor(@Inject(SSE_RESOLVED_OPTIONS) options: ResolvedSseOptions) {
    super(options.publishRatePerSecond, 1_000, 'events from this publisher');
  }

  protected keyOf(request: LimitedRequest): string | undefined {
    return request[PRINCIPAL_REQUEST_KEY]?.clientId;
  }

  /**
   * Counts the rest of a batch's publications (the request itself counted one).
   * @throws RateLimitedError past the limit
   */
  countMore(publisherId: string, publications: number): void {
    if (publications > 0) this.count(publisherId, publications);
  }
}
