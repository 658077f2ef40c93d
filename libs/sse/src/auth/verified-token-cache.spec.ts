import type { ClientPrincipal } from '../domain/index.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

const principal = (clientId: string) => ({ clientId, roles: [] }) as unknown as ClientPrincipal;

describe('VerifiedTokenCache', () => {
  it('answers a token until its end, never after', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('t', principal('a'), 2_000, 1_000);
    expect(cache.get('t', 1_999)?.clientId).toBe('a');
    expect(cache.get('t', 2_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps nothing already past its end', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('t', principal('a'), 1_000, 1_000);
    expect(cache.get('t', 1_000)).toBeUndefined();
  });

  it('drops the least recently used token when full', () => {
    const cache = new VerifiedTokenCache(2);
    cache.set('a', principal('a'), 9_000, 0);
    cache.set('b', principal('b'), 9_000, 0);
    cache.get('a', 1);
    cache.set('c', principal('c'), 9_000, 0);
    expect(cache.get('b', 1)).toBeUndefined();
    expect(cache.get('a', 1)?.clientId).toBe('a');
    expect(cache.get('c', 1)?.clientId).toBe('c');
  });
});
