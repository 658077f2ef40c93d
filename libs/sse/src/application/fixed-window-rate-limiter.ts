/**
 * Counts calls per key in fixed windows: at most `limit` per `windowMs`. Keys of finished windows
 * are swept once a window, so memory stays bounded by the keys active in one window.
 *
 * (`@nestjs/throttler` does this job in most Nest apps, but its CommonJS build cannot load the
 * ES-module-only Nest 12 under jest's ESM mode, so the hub keeps this small counter.)
 */
export class FixedWindowRateLimiter {
  private windowStart = 0;
  private counts = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts `calls` calls of `key`; returns 0 when allowed, else the milliseconds until it would be. */
  take(key: string, calls = 1): number {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now - ((now - this.windowStart) % this.windowMs);
      this.counts = new Map();
    }
    const count = (this.counts.get(key) ?? 0) + calls;
    this.counts.set(key, count);
    return count <= this.limit ? 0 : this.windowStart + this.windowMs - now;
  }
}
