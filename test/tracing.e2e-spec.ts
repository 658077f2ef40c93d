import { trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-node';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { publish, request } from './helpers/http.js';
import { deleteRedisPrefix, uniqueRedisPrefix } from './helpers/redis.js';
import { connect, type SseReader } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

/**
 * The spans a host app sees once it registers an OpenTelemetry SDK: here the SDK's own in-memory
 * exporter, registered globally as an app's tracing set-up would, before the apps start.
 */
describe('Tracing with an OpenTelemetry SDK registered', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const publisher = publisherToken();
  const prefix = uniqueRedisPrefix('tracing');
  const open: SseReader[] = [];
  let a: TestApp;
  let b: TestApp;

  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const traceparent = (parentSpan: string) => `00-${traceId}-${parentSpan}-01`;
  const spans = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);
  const attribute = (span: ReadableSpan, key: string) => span.attributes[key];

  beforeAll(async () => {
    provider.register();
    [a, b] = await Promise.all([
      createTestApp({ broker: 'redis', redisPrefix: prefix }),
      createTestApp({ broker: 'redis', redisPrefix: prefix }),
    ]);
  });
  afterEach(() => {
    open.splice(0).forEach((reader) => reader.close());
    exporter.reset();
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await deleteRedisPrefix(prefix);
    await provider.shutdown();
    trace.disable();
  });

  it("records a REST publish in the traceparent's trace, and a fan-out linked to it on each instance with the streams it reached", async () => {
    const onA = await connect(`${a.url}/sse`, { token: token({ sub: 'tia' }) });
    const onB = await connect(`${b.url}/sse`, { token: token({ sub: 'tia' }) });
    open.push(onA, onB);

    const sent = await request<{ id: string }>(a.url, 'POST', '/notifications/clients/tia', {
      token: publisher,
      body: { event: 'traced', data: { n: 1 } },
      headers: { traceparent: traceparent('00f067aa0ba902b7') },
    });
    expect(sent.status).toBe(202);
    await Promise.all([onA.waitForEvents('traced', 1), onB.waitForEvents('traced', 1)]);

    const [published] = await waitFor(
      () => spans('sse.publish').length === 1 && spans('sse.publish'),
      { what: 'the publish span' },
    );
    expect(published.spanContext().traceId).toBe(traceId);
    expect(published.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(attribute(published, 'messaging.message.id')).toBe(sent.body.id);
    expect(attribute(published, 'sse.target')).toBe('client');

    const fanouts = await waitFor(() => spans('sse.fanout').length === 2 && spans('sse.fanout'), {
      what: 'two fan-out spans',
    });
    expect(new Set(fanouts.map((span) => attribute(span, 'sse.instance'))).size).toBe(2);
    for (const fanout of fanouts) {
      expect(fanout.links.map((link) => link.context.spanId)).toEqual([
        published.spanContext().spanId,
      ]);
      expect(fanout.links[0].context.traceId).toBe(traceId);
      expect(attribute(fanout, 'messaging.message.id')).toBe(sent.body.id);
      expect(attribute(fanout, 'sse.streams_reached')).toBe(1);
    }
  });

  it('records a publish without traceparent as a trace of its own, still linked from the fan-out', async () => {
    const sent = await publish(b.url, publisher, 'broadcast', 'untraced-caller', 'x');
    expect(sent.status).toBe(202);

    const [published] = await waitFor(
      () => spans('sse.publish').length === 1 && spans('sse.publish'),
    );
    expect(published.parentSpanContext).toBeUndefined();
    const fanouts = await waitFor(() => spans('sse.fanout').length === 2 && spans('sse.fanout'));
    expect(
      fanouts.every((span) => span.links[0]?.context.spanId === published.spanContext().spanId),
    ).toBe(true);
  });

  it("records each stream's set-up: who, in the request's trace, and whether its replay recovered", async () => {
    const first = await connect(`${a.url}/sse`, { token: token({ sub: 'uma' }) });
    open.push(first);
    const sent = await publish(a.url, publisher, 'clients/uma', 'missed', 1);
    await first.waitForEvents('missed', 1);
    first.close();

    const resumed = await connect(`${b.url}/sse`, {
      token: token({ sub: 'uma' }),
      headers: {
        'last-event-id': first.greetingId as string,
        traceparent: traceparent('b7ad6b7169203331'),
      },
    });
    open.push(resumed);
    expect(resumed.greeting.recovered).toBe(true);
    const ahead = await connect(`${b.url}/sse`, {
      token: token({ sub: 'uma' }),
      headers: { 'last-event-id': '1-0' },
    });
    open.push(ahead);

    const setups = await waitFor(
      () => spans('sse.stream.setup').length === 3 && spans('sse.stream.setup'),
      {
        what: 'three set-up spans',
      },
    );
    const [fresh, recovered, incomplete] = setups;
    expect(attribute(fresh, 'sse.client_id')).toBe('uma');
    expect(attribute(fresh, 'sse.resuming')).toBe(false);
    expect(attribute(fresh, 'sse.replay.recovered')).toBeUndefined();

    expect(recovered.spanContext().traceId).toBe(traceId);
    expect(recovered.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(attribute(recovered, 'sse.replay.recovered')).toBe(true);
    expect(attribute(recovered, 'sse.replay.events')).toBe(1);
    expect(sent.status).toBe(202);

    // '1-0' is older than anything this hub's history holds: the replay cannot be complete.
    expect(attribute(incomplete, 'sse.replay.recovered')).toBe(false);
    expect(incomplete.events.map((event) => event.name)).toContain(
      'replay incomplete: history no longer reached back',
    );
  });
});
