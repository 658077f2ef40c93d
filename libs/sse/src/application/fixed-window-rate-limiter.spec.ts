import { FixedWindowRateLimiter } from './fixed-window-rate-limiter.js';

describe('FixedWindowRateLimiter', () => {
  it('allows `limit` calls per key and window, then says how long to wait', () => {
    let now = 1_000;
    const limiter = new FixedWindowRateLimiter(2, 1_000, () => now);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('b')).toBe(0);
    now += 250;
    expect(limiter.take('a')).toBe(750);
    now += 750;
    expect(limiter.take('a')).toBe(0);
  });
});
