import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { connect } from './helpers/sse-reader.js';
import { token } from './helpers/tokens.js';

const ALLOWED = 'http://allowed.example';
const OTHER = 'http://evil.example';

const preflight = (url: string, origin: string) =>
  fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    },
  });

describe('CORS from SSE_CORS_ORIGINS', () => {
  describe('with an origin list', () => {
    let hub: TestApp;
    beforeAll(async () => {
      hub = await createTestApp({ env: { SSE_CORS_ORIGINS: `${ALLOWED}, http://second.example` } });
    });
    afterAll(() => hub.close());

    it('answers a listed origin’s preflight for the REST routes', async () => {
      for (const path of ['/notifications/broadcast', '/sse/subscriptions']) {
        const response = await preflight(`${hub.url}${path}`, ALLOWED);
        expect(response.status).toBe(204);
        expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
        expect(response.headers.get('access-control-allow-credentials')).toBe('true');
        expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
          'authorization',
        );
      }
    });

    it('lets a listed origin read the stream', async () => {
      const reader = await connect(`${hub.url}/sse`, {
        token: token({ sub: 'cors' }),
        headers: { origin: ALLOWED },
      });
      try {
        expect(reader.headers.get('access-control-allow-origin')).toBe(ALLOWED);
        expect(reader.headers.get('content-type')).toMatch(/^text\/event-stream/);
      } finally {
        reader.close();
      }
    });

    it('gives an unlisted origin no CORS headers', async () => {
      const response = await preflight(`${hub.url}/notifications/broadcast`, OTHER);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('unset', () => {
    let hub: TestApp;
    beforeAll(async () => {
      hub = await createTestApp();
    });
    afterAll(() => hub.close());

    it('sends no CORS headers at all', async () => {
      const response = await preflight(`${hub.url}/notifications/broadcast`, ALLOWED);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const reader = await connect(`${hub.url}/sse`, {
        token: token({ sub: 'no-cors' }),
        headers: { origin: ALLOWED },
      });
      try {
        expect(reader.headers.get('access-control-allow-origin')).toBeNull();
      } finally {
        reader.close();
      }
    });
  });
});
