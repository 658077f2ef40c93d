import {
  accessLogEnabled,
  apiDocsEnabled,
  demoFeedEnabled,
  demoFeedIntervalMs,
  postgresFromEnv,
  trustProxyFromEnv,
} from './env.js';

describe('reference app switches', () => {
  it('runs the demo feed by default outside production only, and SSE_DEMO_FEED decides', () => {
    expect(demoFeedEnabled({})).toBe(true);
    expect(demoFeedEnabled({ NODE_ENV: 'production' })).toBe(false);
    expect(demoFeedEnabled({ SSE_DEMO_FEED: 'off' })).toBe(false);
    expect(demoFeedEnabled({ NODE_ENV: 'production', SSE_DEMO_FEED: 'on' })).toBe(true);
    expect(() => demoFeedEnabled({ SSE_DEMO_FEED: 'maybe' })).toThrow(/SSE_DEMO_FEED must be on or off/);
  });

  it('publishes every 2 s unless SSE_DEMO_FEED_MS says otherwise (at least 100 ms)', () => {
    expect(demoFeedIntervalMs({})).toBe(2_000);
    expect(demoFeedIntervalMs({ SSE_DEMO_FEED_MS: '500' })).toBe(500);
    expect(() => demoFeedIntervalMs({ SSE_DEMO_FEED_MS: '5' })).toThrow(/at least 100/);
  });

  it('serves the API docs by default outside production only, and SSE_API_DOCS decides', () => {
    expect(apiDocsEnabled({})).toBe(true);
    expect(apiDocsEnabled({ NODE_ENV: 'production' })).toBe(false);
    expect(apiDocsEnabled({ SSE_API_DOCS: 'off' })).toBe(false);
    expect(apiDocsEnabled({ NODE_ENV: 'production', SSE_API_DOCS: 'on' })).toBe(true);
    expect(() => apiDocsEnabled({ SSE_API_DOCS: 'maybe' })).toThrow(/SSE_API_DOCS must be on or off/);
  });

  it('keeps the access log on unless SSE_ACCESS_LOG=off', () => {
    expect(accessLogEnabled({})).toBe(true);
    expect(accessLogEnabled({ SSE_ACCESS_LOG: 'off' })).toBe(false);
  });
});

describe('TRUST_PROXY', () => {
  it("reads Express's trust proxy values: booleans, hop counts, names and CIDRs", () => {
    expect(trustProxyFromEnv({})).toBeUndefined();
    expect(trustProxyFromEnv({ TRUST_PROXY: 'true' })).toBe(true);
    expect(trustProxyFromEnv({ TRUST_PROXY: 'false' })).toBe(false);
    expect(trustProxyFromEnv({ TRUST_PROXY: '2' })).toBe(2);
    expect(trustProxyFromEnv({ TRUST_PROXY: 'loopback, 10.0.0.0/8' })).toBe('loopback, 10.0.0.0/8');
  });
});

describe('the PostgreSQL broker variables', () => {
  it('leaves unset ones to the module defaults', () => {
    expect(postgresFromEnv({})).toEqual({ connectionString: undefined, schema: undefined, poolSize: undefined });
  });

  it('reads DATABASE_URL, SSE_POSTGRES_SCHEMA and SSE_POSTGRES_POOL_SIZE', () => {
    expect(
      postgresFromEnv({
        DATABASE_URL: 'postgres://sse@db:5432/app',
        SSE_POSTGRES_SCHEMA: 'hub',
        SSE_POSTGRES_POOL_SIZE: '20',
      }),
    ).toEqual({ connectionString: 'postgres://sse@db:5432/app', schema: 'hub', poolSize: 20 });
    expect(() => postgresFromEnv({ SSE_POSTGRES_POOL_SIZE: 'many' })).toThrow(/SSE_POSTGRES_POOL_SIZE must be an integer/);
  });
});
