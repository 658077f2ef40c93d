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

  it('reads the claims the mapping names, and grants publisher for the mapped role', () => {
    const mapping = { clientIdClaim: 'user.id', rolesClaim: 'realm_access.roles', topicsClaim: 'https://x/topics', publisherRole: 'sse-pub' };
    expect(
      principalFromClaims({ user: { id: 'u1' }, realm_access: { roles: ['sse-pub', 'other'] }, 'https://x/topics': ['t/#'] }, mapping),
    ).toEqual({ clientId: 'u1', roles: ['sse-pub', 'other', 'publisher'], topicPatterns: ['t/#'], expiresAt: undefined });
    expect(principalFromClaims({ user: { id: 'u1' }, realm_access: { roles: ['publisher'] } }, mapping)?.roles).toEqual(['publisher']);
    expect(principalFromClaims({ sub: 'u1' }, mapping)).toBeUndefined();
  });
});
