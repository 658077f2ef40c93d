import { BROKERS } from './helpers/brokers.js';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { publish, request } from './helpers/http.js';
import { metric, scrapeMetrics } from './helpers/metrics.js';
import { connect } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

describe.each(BROKERS)('operations: /health and /metrics (%s broker)', (broker) => {
  let hub: TestApp;
  const publisher = publisherToken();

  beforeAll(async () => {
    hub = await createTestApp({ broker });
  });
  afterAll(() => hub.close());

  /** Waits until a series shows `expected`: the server tears a stream down a moment after the client. */
  const metricReaches = (series: string, expected: number) =>
    waitFor(async () => (await metric(hub.url, series)) === expected, {
      timeoutMs: 5_000,
      what: `${series} = ${expected}`,
    });

  it('GET /health answers 200 with the broker up, without a token', async () => {
    const response = await request(hub.url, 'GET', '/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      info: { broker: { status: 'up', broker } },
    });
  });

  it('GET /metrics is Prometheus text with the hub and process metrics, without a token', async () => {
    const response = await fetch(`${hub.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    for (const name of [
      'sse_connections_open',
      'sse_connections_opened_total',
      'sse_connections_closed_total',
      'sse_events_published_total',
      'sse_events_delivered_total',
      'sse_replays_total',
      'sse_publish_to_write_seconds',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('the open-connections gauge follows streams opening and closing', async () => {
    const before = await scrapeMetrics(hub.url);
    const closedBefore = before.get('sse_connections_closed_total{reason="client_left"}') ?? 0;
    const readers = await Promise.all(
      ['gauge-a', 'gauge-b', 'gauge-c'].map((sub) =>
        connect(`${hub.url}/sse`, { token: token({ sub }) }),
      ),
    );
    await metricReaches('sse_connections_open', 3);
    readers[0].close();
    await metricReaches('sse_connections_open', 2);
    readers.slice(1).forEach((reader) => reader.close());
    await metricReaches('sse_connections_open', 0);
    await metricReaches('sse_connections_closed_total{reason="client_left"}', closedBefore + 3);
    expect(await metric(hub.url, 'sse_connections_opened_total')).toBe(
      (before.get('sse_connections_opened_total') ?? 0) + 3,
    );
  });

  it('counts published and delivered events, the publish latency and replays', async () => {
    const before = await scrapeMetrics(hub.url);
    const count = (series: string) => before.get(series) ?? 0;
    const tabs = await Promise.all(
      [1, 2].map(() => connect(`${hub.url}/sse`, { token: token({ sub: 'metered' }) })),
    );
    let lastId: string;
    try {
      const receipt = await publish(hub.url, publisher, 'clients/metered', 'note', { n: 1 });
      expect(receipt.body.delivered).toBe(2);
      lastId = receipt.body.id;
      await publish(hub.url, publisher, 'broadcast', 'note', { n: 2 });
      await Promise.all(tabs.map((tab) => tab.waitForEvents('note', 2)));
    } finally {
      tabs.forEach((tab) => tab.close());
    }
    // A resume from the first event gets the second from history.
    const resumed = await connect(`${hub.url}/sse`, {
      token: token({ sub: 'metered' }),
      headers: { 'last-event-id': lastId },
    });
    try {
      expect(resumed.greeting.recovered).toBe(true);
      await resumed.waitForEvents('note', 1);
    } finally {
      resumed.close();
    }
    const after = await scrapeMetrics(hub.url);
    const grew = (series: string) => (after.get(series) ?? 0) - count(series);
    expect(grew('sse_events_published_total{target="client"}')).toBe(1);
    expect(grew('sse_events_published_total{target="broadcast"}')).toBe(1);
    expect(grew('sse_events_delivered_total')).toBe(4);
    expect(grew('sse_publish_to_write_seconds_count')).toBe(2);
    expect(grew('sse_replays_total{outcome="recovered"}')).toBe(1);
    expect(grew('sse_replays_total{outcome="incomplete"}')).toBe(0);
    expect(grew('sse_replayed_events_total')).toBe(1);
  });
});

describe.each(BROKERS)(
  'metrics of a resume that history no longer covers (%s broker)',
  (broker) => {
    let hub: TestApp;
    const publisher = publisherToken();

    beforeAll(async () => {
      hub = await createTestApp({ broker, env: { SSE_HISTORY_SIZE: '2' } });
    });
    afterAll(() => hub.close());

    it('counts it as incomplete', async () => {
      const first = await publish(hub.url, publisher, 'clients/late', 'n', 0);
      for (let i = 1; i <= 3; i++) {
        await publish(hub.url, publisher, 'clients/late', 'n', i);
      }
      const resumed = await connect(`${hub.url}/sse`, {
        token: token({ sub: 'late' }),
        headers: { 'last-event-id': first.body.id },
      });
      try {
        expect(resumed.greeting.recovered).toBe(false);
        await resumed.waitForEvents('n', 2);
      } finally {
        resumed.close();
      }
      const after = await scrapeMetrics(hub.url);
      expect(after.get('sse_replays_total{outcome="incomplete"}')).toBe(1);
      expect(after.get('sse_replays_total{outcome="recovered"}')).toBe(0);
      expect(after.get('sse_replayed_events_total')).toBe(2);
    });
  },
);
