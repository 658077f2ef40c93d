import { readClaim } from './claim-path.js';

describe('readClaim', () => {
  it('reads a claim by name first, even one with dots (Auth0 namespaced claims)', () => {
    expect(readClaim({ 'https://x.example/roles': ['a'], https: { x: 1 } }, 'https://x.example/roles')).toEqual(['a']);
  });

  it('then follows a dotted path (Keycloak realm_access.roles)', () => {
    expect(readClaim({ realm_access: { roles: ['publisher'] } }, 'realm_access.roles')).toEqual(['publisher']);
    expect(readClaim({ realm_access: { roles: ['publisher'] } }, 'realm_access.missing')).toBeUndefined();
    expect(readClaim({ realm_access: 'flat' }, 'realm_access.roles')).toBeUndefined();
  });

  it('reads own properties only', () => {
    expect(readClaim({ a: {} }, 'a.constructor')).toBeUndefined();
    expect(readClaim({}, '__proto__')).toBeUndefined();
    expect(readClaim({ a: {} }, 'a.__proto__.toString')).toBeUndefined();
  });
});
