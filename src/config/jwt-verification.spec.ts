import { jwtOptionsFromEnv } from './jwt-verification.js';
import { INSECURE_DEV_SECRET } from './jwt-secret.js';

const quiet = { NODE_ENV: 'test' };

describe('jwtOptionsFromEnv', () => {
  it('verifies with JWT_SECRET, or the insecure development secret outside production', () => {
    expect(jwtOptionsFromEnv({ ...quiet, JWT_SECRET: 's' }).jwtSecret).toBe('s');
    expect(jwtOptionsFromEnv(quiet).jwtSecret).toBe(INSECURE_DEV_SECRET);
  });

  it('needs no JWT_SECRET (and has none) with a public key or a JWKS URL, even in production', () => {
    const options = jwtOptionsFromEnv({ NODE_ENV: 'production', JWT_JWKS_URL: 'https://idp.example/jwks' });
    expect(options).toMatchObject({ jwtSecret: undefined, jwksUrl: 'https://idp.example/jwks', requireTokenExpiry: true });
    expect(jwtOptionsFromEnv({ ...quiet, JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\\nAAA\\n-----END PUBLIC KEY-----' })).toMatchObject({
      jwtSecret: undefined,
      jwtPublicKey: '-----BEGIN PUBLIC KEY-----\nAAA\n-----END PUBLIC KEY-----',
    });
    expect(() => jwtOptionsFromEnv({ ...quiet, JWT_SECRET: 's', JWT_JWKS_URL: 'https://idp.example/jwks' })).toThrow(/not both/);
    expect(() => jwtOptionsFromEnv({ NODE_ENV: 'production' })).toThrow(/must be set when NODE_ENV=production/);
  });

  it('reads issuer, audience and algorithms as lists, claim paths and lifetime checks as given', () => {
    expect(
      jwtOptionsFromEnv({
        ...quiet,
        JWT_JWKS_URL: 'https://idp.example/jwks',
        JWT_ISSUER: 'https://idp.example/realms/a',
        JWT_AUDIENCE: 'sse-hub, account',
        JWT_ALGORITHMS: 'RS256,ES256',
        JWT_CLIENT_ID_CLAIM: 'preferred_username',
        JWT_ROLES_CLAIM: 'realm_access.roles',
        JWT_TOPICS_CLAIM: 'https://sse.example.com/topics',
        JWT_PUBLISHER_ROLE: 'sse-publisher',
        JWT_CLOCK_TOLERANCE_SECONDS: '30',
        JWT_MAX_TOKEN_AGE_SECONDS: '86400',
      }),
    ).toMatchObject({
      jwtIssuer: ['https://idp.example/realms/a'],
      jwtAudience: ['sse-hub', 'account'],
      jwtAlgorithms: ['RS256', 'ES256'],
      clientIdClaim: 'preferred_username',
      rolesClaim: 'realm_access.roles',
      topicsClaim: 'https://sse.example.com/topics',
      publisherRole: 'sse-publisher',
      jwtClockToleranceSeconds: 30,
      maxTokenAgeSeconds: 86_400,
      requireTokenExpiry: false,
    });
  });
});
