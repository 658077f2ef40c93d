/**
 * The value at `path` in verified claims: first `path` as one claim name (Auth0's namespaced
 * claims, such as `https://example.com/roles`, contain dots), then as a dotted path through
 * nested objects (Keycloak's `realm_access.roles`). Own properties only, so `__proto__` or
 * `constructor` in a path reads nothing.
 */
export function readClaim(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(claims, path)) {
    return claims[path];
  }
  let value: unknown = claims;
  for (const segment of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}
