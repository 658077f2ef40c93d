import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { connect } from './helpers/sse-reader.js';
import { token } from './helpers/tokens.js';

describe('the demo feed on demo/metrics', () => {
  let hub: TestApp;

  beforeAll(async () => {
    hub = await createTestApp({ env: { SSE_DEMO_FEED: 'on', SSE_DEMO_FEED_MS: '100' } });
  });
  afterAll(() => hub.close());

  it("publishes the process's own figures to subscribers of demo/metrics", async () => {
    const reader = await connect(`${hub.url}/sse?topic=demo/metrics`, {
      token: token({ sub: 'watcher' }),
    });
    try {
      const [first, second] = await reader.waitForEvents('metrics', 2, 3_000);
      const figures = JSON.parse(first.data);
      expect(figures).toEqual({
        instance: expect.stringMatching(/:\d+$/),
        at: expect.any(String),
        rssBytes: expect.any(Number),
        heapUsedBytes: expect.any(Number),
        heapTotalBytes: expect.any(Number),
        openConnections: expect.any(Number),
        uptimeSeconds: expect.any(Number),
      });
      expect(figures.rssBytes).toBeGreaterThan(figures.heapUsedBytes);
      expect(figures.openConnections).toBeGreaterThanOrEqual(1);
      expect(Date.parse(JSON.parse(second.data).at)).toBeGreaterThanOrEqual(Date.parse(figures.at));
    } finally {
      reader.close();
    }
  });
});
