import { InMemoryEventHistoryAdapter } from './adapters/in-memory/in-memory-event-history.adapter.js';
import { SseOptionsError } from './sse-options.error.js';
import { resolveSseOptions, SSE_DEFAULTS } from './sse-resolved-options.js';

describe('resolveSseOptions', () => {
  it('fills in the Redis defaults', () => {
    const resolved = resolveSseOptions({ jwtSecret: 's' });
    expect(resolved.broker).toBe('memory');
    expect(resolved.redisUrl).toBe(SSE_DEFAULTS.redisUrl);
    expect(resolved.redisKeyPrefix).toBe('sse-hub');
  });

  it('accepts the redis broker with a URL and a prefix', () => {
    const resolved = resolveSseOptions({
      jwtSecret: 's',
      broker: 'redis',
      redisUrl: 'rediss://user:pw@cache.internal:6380/2',
      redisKeyPrefix: 'app:sse',
    });
    expect(resolved).toMatchObject({ broker: 'redis', redisKeyPrefix: 'app:sse' });
  });

  it('lists every problem at once, and never echoes the Redis URL', () => {
    let error: unknown;
    try {
      resolveSseOptions({
        jwtSecret: '',
        broker: 'kafka' as never,
        redisUrl: 'http://:hunter2@example.com',
        redisKeyPrefix: 'has space*',
        historySize: 0,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SseOptionsError);
    const { problems, message } = error as SseOptionsError;
    expect(problems).toEqual([
      'jwtSecret must be a non-empty string',
      expect.stringContaining("broker must be one of 'memory', 'redis'"),
      'redisUrl must be a redis:// or rediss:// URL',
      expect.stringContaining('redisKeyPrefix must be 1-64 characters'),
      expect.stringContaining('historySize must be a positive integer'),
    ]);
    expect(message).not.toContain('hunter2');
  });

  it('fills in the PostgreSQL defaults field by field, and accepts the postgres broker', () => {
    expect(resolveSseOptions({ jwtSecret: 's' }).postgres).toEqual({
      connectionString: 'postgres://127.0.0.1:5432/test',
      schema: 'sse_hub',
      poolSize: 10,
    });
    expect(
      resolveSseOptions({ jwtSecret: 's', broker: 'postgres', postgres: { schema: 'app_sse', poolSize: undefined } }),
    ).toMatchObject({
      broker: 'postgres',
      postgres: { connectionString: 'postgres://127.0.0.1:5432/test', schema: 'app_sse', poolSize: 10 },
    });
  });

  it('lists every PostgreSQL problem, and never echoes the URL', () => {
    let message = '';
    try {
      resolveSseOptions({
        jwtSecret: 's',
        broker: 'postgres',
        postgres: { connectionString: 'mysql://u:hunter2@db/x', schema: 'Bad-Name', poolSize: 0 },
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('postgres.connectionString must be a postgres:// or postgresql:// URL');
    expect(message).toContain('postgres.schema must be a lowercase identifier');
    expect(message).toContain('postgres.poolSize must be an integer from 1 to 1000');
    expect(message).not.toContain('hunter2');
  });

  it('refuses a custom history without a custom transport on PostgreSQL, since one table does both', () => {
    expect(() =>
      resolveSseOptions({
        jwtSecret: 's',
        broker: 'postgres',
        adapters: { history: new InMemoryEventHistoryAdapter(10) },
      }),
    ).toThrow(/adapters.history and adapters.transport must be given together with broker 'postgres'/);
  });

  it('takes Sentinel or a cluster as the Redis topology, and replicas to wait for', () => {
    const sentinel = { sentinels: [{ host: 's1', port: 26379 }], name: 'hub', password: 'pw' };
    expect(resolveSseOptions({ jwtSecret: 's', broker: 'redis', redis: sentinel, redisMinReplicas: 1 })).toMatchObject({
      redis: sentinel,
      redisMinReplicas: 1,
    });
    expect(resolveSseOptions({ jwtSecret: 's' }).redisMinReplicas).toBe(0);
    const cluster = { cluster: [{ host: 'n1', port: 7000 }] };
    expect(resolveSseOptions({ jwtSecret: 's', broker: 'redis', redis: cluster }).redis).toEqual(cluster);
  });

  it('refuses a topology that could not connect, and never echoes its passwords', () => {
    const problem = (redis: unknown) => {
      try {
        resolveSseOptions({ jwtSecret: 's', broker: 'redis', redis: redis as never });
        return undefined;
      } catch (error) {
        return (error as SseOptionsError).problems.join('; ');
      }
    };
    expect(problem({ sentinels: [{ host: 's1', port: 26379 }] })).toMatch(/redis.name must be/);
    expect(problem({ sentinels: [], name: 'hub' })).toMatch(/redis.sentinels must be a non-empty list/);
    expect(problem({ cluster: [{ host: 'n1', port: 0 }], password: 'hunter2' })).toMatch(/redis.cluster must be/);
    expect(problem({ cluster: [{ host: 'n1', port: 1 }], sentinels: [{ host: 's', port: 1 }], name: 'x' })).toMatch(/exactly one/);
    expect(problem({ cluster: [{ host: 'n1', port: 0 }], password: 'hunter2' })).not.toContain('hunter2');
    expect(() => resolveSseOptions({ jwtSecret: 's', redisMinReplicas: -1 })).toThrow(/redisMinReplicas/);
  });

  it('refuses a custom history without a custom transport on Redis, since one stream does both', () => {
    expect(() =>
      resolveSseOptions({
        jwtSecret: 's',
        broker: 'redis',
        adapters: { history: new InMemoryEventHistoryAdapter(10) },
      }),
    ).toThrow(/adapters.history and adapters.transport must be given together/);
  });
});

describe('resolveSseOptions: what serves the stream', () => {
  it('serves GET /sse from the HTTP server unless told to use the controller', () => {
    expect(resolveSseOptions({ jwtSecret: 's' })).toMatchObject({ streamEndpoint: 'http-server', streamMiddleware: [] });
    expect(resolveSseOptions({ jwtSecret: 's', streamEndpoint: 'controller' }).streamEndpoint).toBe('controller');
  });

  it('refuses stream middleware that is not a list of functions', () => {
    expect(() => resolveSseOptions({ jwtSecret: 's', streamMiddleware: ['morgan'] as never })).toThrow(
      expect.objectContaining({ problems: ['streamMiddleware must be an array of (request, response, next) functions'] }),
    );
  });

  it('refuses an unknown endpoint and CORS options that are not an object', () => {
    expect(() => resolveSseOptions({ jwtSecret: 's', streamEndpoint: 'fastify' as never, cors: 'yes' as never })).toThrow(
      expect.objectContaining({
        problems: [
          "streamEndpoint must be one of 'controller', 'http-server' (got \"fastify\")",
          'cors must be an object of CORS options',
        ],
      }),
    );
  });
});

describe('resolveSseOptions: how tokens are verified', () => {
  const problemsOf = (options: Parameters<typeof resolveSseOptions>[0]): string[] => {
    try {
      resolveSseOptions(options);
      return [];
    } catch (error) {
      return (error as SseOptionsError).problems as string[];
    }
  };

  it('takes exactly one key: a secret, a public key or a JWKS URL (or an authenticator instead)', () => {
    expect(problemsOf({})).toEqual(['one of jwtSecret, jwtPublicKey and jwksUrl is required (or an authenticator)']);
    expect(problemsOf({ jwtSecret: 's', jwksUrl: 'https://idp.example/jwks' })).toEqual([
      'give only one of jwtSecret, jwtPublicKey and jwksUrl',
    ]);
    expect(problemsOf({ jwksUrl: 'https://idp.example/jwks' })).toEqual([]);
    expect(problemsOf({ authenticator: { authenticate: async () => undefined } })).toEqual([]);
  });

  it('refuses a public key it cannot read, a JWKS URL that is not http(s), and never echoes the key', () => {
    const problems = problemsOf({ jwtPublicKey: '-----BEGIN PUBLIC KEY-----\nsecret-looking\n-----END PUBLIC KEY-----' });
    expect(problems).toEqual([expect.stringContaining('jwtPublicKey must be a PEM public key or a public JWK')]);
    expect(problems.join()).not.toContain('secret-looking');
    expect(problemsOf({ jwksUrl: 'file:///etc/keys.json' })).toEqual(['jwksUrl must be an http:// or https:// URL']);
  });

  it('pins algorithms to the kind of key: HS* with a secret only, never none', () => {
    expect(problemsOf({ jwtSecret: 's', jwtAlgorithms: ['HS512'] })).toEqual([]);
    expect(problemsOf({ jwtSecret: 's', jwtAlgorithms: ['RS256'] })).toEqual([expect.stringContaining('jwtAlgorithms must be')]);
    expect(problemsOf({ jwksUrl: 'https://idp.example/jwks', jwtAlgorithms: ['HS256'] })).toEqual([
      expect.stringContaining('jwtAlgorithms must be'),
    ]);
    expect(problemsOf({ jwksUrl: 'https://idp.example/jwks', jwtAlgorithms: ['none'] })).toHaveLength(1);
  });

  it('checks the lifetime and claim options', () => {
    expect(
      problemsOf({
        jwtSecret: 's',
        maxTokenAgeSeconds: 0,
        jwtClockToleranceSeconds: -1,
        requireTokenExpiry: 'yes' as never,
        rolesClaim: 'realm_access.',
        jwtIssuer: [],
      }),
    ).toEqual([
      'jwtIssuer must be a non-empty string or list of strings',
      expect.stringContaining('jwtClockToleranceSeconds must be a non-negative integer'),
      'requireTokenExpiry must be true or false',
      expect.stringContaining('maxTokenAgeSeconds must be a positive integer'),
      expect.stringContaining('rolesClaim must be a claim name or dotted path'),
    ]);
  });
});
