import { SseMetricsService } from './sse-metrics.service.js';

/** The value of one series in Prometheus text, or undefined when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('SseMetricsService', () => {
  it('starts every labelled series at zero, so alerts see them before the first event', async () => {
    const text = await (await SseMetricsService.create({ metrics: true })).metrics();
    expect(sample(text, 'sse_connections_open')).toBe(0);
    for (const reason of ['client_left', 'too_slow', 'shutdown', 'token_expired']) {
      expect(sample(text, `sse_connections_closed_total{reason="${reason}"}`)).toBe(0);
    }
    for (const target of ['client', 'topic', 'broadcast']) {
      expect(sample(text, `sse_events_published_total{target="${target}"}`)).toBe(0);
    }
    expect(sample(text, 'sse_replays_total{outcome="recovered"}')).toBe(0);
    expect(sample(text, 'sse_replays_total{outcome="incomplete"}')).toBe(0);
  });

  it('follows what the hub reports', async () => {
    const metrics = await SseMetricsService.create({ metrics: true });
    metrics.connectionOpened();
    metrics.connectionOpened();
    metrics.connectionClosed('too_slow');
    metrics.eventPublished('topic', 0.002);
    metrics.eventDelivered(3);
    metrics.eventDelivered(0);
    metrics.replayed('incomplete', 5);
    const text = await metrics.metrics();
    expect(sample(text, 'sse_connections_open')).toBe(1);
    expect(sample(text, 'sse_connections_opened_total')).toBe(2);
    expect(sample(text, 'sse_connections_closed_total{reason="too_slow"}')).toBe(1);
    expect(sample(text, 'sse_events_published_total{target="topic"}')).toBe(1);
    expect(sample(text, 'sse_events_delivered_total')).toBe(3);
    expect(sample(text, 'sse_replays_total{outcome="incomplete"}')).toBe(1);
    expect(sample(text, 'sse_replayed_events_total')).toBe(5);
    expect(sample(text, 'sse_publish_to_write_seconds_count')).toBe(1);
    expect(sample(text, 'sse_publish_to_write_seconds_bucket{le="0.0025"}')).toBe(1);
    expect(sample(text, 'sse_publish_to_write_seconds_bucket{le="0.001"}')).toBe(0);
    expect(metrics.contentType).toMatch(/^text\/plain/);
  });

  it('keeps its own registry: two hubs in one process do not share or clash', async () => {
    const first = await SseMetricsService.create({ metrics: true });
    const second = await SseMetricsService.create({ metrics: true });
    first.connectionOpened();
    expect(sample(await first.metrics(), 'sse_connections_open')).toBe(1);
    expect(sample(await second.metrics(), 'sse_connections_open')).toBe(0);
  });
});

describe('SseMetricsService with metrics off (the default)', () => {
  it('records nothing and says how to turn metrics on when asked for them', async () => {
    const metrics = await SseMetricsService.create({ metrics: false });
    metrics.connectionOpened();
    expect(metrics.enabled).toBe(false);
    expect(() => metrics.metrics()).toThrow(/metrics: true/);
  });
});
