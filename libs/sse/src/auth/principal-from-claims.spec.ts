import { principalFromClaims } from './principal-from-claims.js';

describe('principalFromClaims', () => {
  it('builds the principal from sub, roles, topics and exp', () => {
    expect(principalFromClaims({ sub: 'a', roles: ['publisher'], topics: ['x/#'], exp: 10 })).toEqual({
      clientId: 'a',
      roles: ['publisher'],
      topicPatterns: ['x/#'],
      expiresAt: 10_000,
    });
    expect(principalFromClaims({ sub: 'a' })).toEqual({ clientId: 'a', roles: [], topicPatterns: undefined, expiresAt: undefined });
  });

  it.each([
    [{}],
    [{ sub: '' }],
    [{ sub: 5 }],
    [{ sub: 'a', roles: 'publisher' }],
    [{ sub: 'a', roles: [1] }],
    [{ sub: 'a', topics: 'x' }],
  ])('refuses %p', (claims) => {
    expect(principalFromClaims(claims)).toBeUndefined();
  });
});
