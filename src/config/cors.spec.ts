import { corsFromEnv } from './cors.js';

describe('corsFromEnv', () => {
  it('is off when SSE_CORS_ORIGINS is unset or empty', () => {
    expect(corsFromEnv({})).toBeUndefined();
    expect(corsFromEnv({ SSE_CORS_ORIGINS: ' , ' })).toBeUndefined();
  });

  it('allows the listed origins, with credentials', () => {
    expect(corsFromEnv({ SSE_CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' })).toMatchObject({
      origin: ['https://app.example.com', 'http://localhost:5173'],
      credentials: true,
      allowedHeaders: expect.arrayContaining(['Authorization', 'Last-Event-ID']),
    });
  });

  it('takes * as every origin, but never with credentials', () => {
    expect(corsFromEnv({ SSE_CORS_ORIGINS: '*' })).toMatchObject({ origin: '*', credentials: false });
  });

  it('refuses anything that is not an origin, naming each one', () => {
    expect(() => corsFromEnv({ SSE_CORS_ORIGINS: 'https://ok.example, example.com, https://x.example/path' })).toThrow(
      /not: example\.com, https:\/\/x\.example\/path$/,
    );
  });
});
