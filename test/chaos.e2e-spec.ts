import { compareEventIds } from 'nestjs-sse-hub';
import { EventSource } from 'eventsource';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { buildAppOnce, removeBuild, startChildApp, type ChildApp } from './helpers/child-app.js';
import { publish, request } from './helpers/http.js';
import { deleteRedisPrefix, SHARED_REDIS_URL, uniqueRedisPrefix } from './helpers/redis.js';
import { PrivateRedisServer } from './helpers/redis-server.js';
import { connect } from './helpers/sse-reader.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';
import { publisherToken, token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

/**
 * Chaos with Redis: one of two instances is killed (SIGKILL, no goodbye) while events are being
 * published, and its clients come back through the load balancer to the other instance with
 * nothing lost; Redis itself restarts under a steady stream of publishes.
 */
describe('An instance dies mid-stream (two instances on Redis)', () => {
  let outDir: string;
  const prefix = uniqueRedisPrefix('chaos');
  const children: ChildApp[] = [];
  let proxy: TcpProxy | undefined;

  beforeAll(() => {
    outDir = buildAppOnce('chaos');
  }, 180_000);

  afterAll(async () => {
    children.forEach((child) => child.process.kill('SIGKILL'));
    await proxy?.close();
    removeBuild(outDir);
    await deleteRedisPrefix(prefix);
  });

  it('lets its clients resume on the other instance and receive every accepted event once, in order', async () => {
    const env = {
      SSE_BROKER: 'redis',
      REDIS_URL: SHARED_REDIS_URL,
      SSE_REDIS_PREFIX: prefix,
      SSE_RETRY_MS: '100',
      SSE_ACCESS_LOG: 'off',
      SSE_PUBLISH_RATE_PER_SECOND: '0',
    };
    const [a, b] = await Promise.all([startChildApp(outDir, env), startChildApp(outDir, env)]);
    children.push(a, b);
    // The load balancer sends new connections to A while it lives, then to B.
    let aAlive = true;
    proxy = await startTcpProxy(() => (aAlive ? a.url : b.url));

    const received: string[] = [];
    const greetings: { recovered?: boolean }[] = [];
    const source = new EventSource(`${proxy.url}/sse?token=${token({ sub: 'survivor' })}`);
    source.addEventListener('connected', (e) => greetings.push(JSON.parse(e.data)));
    source.addEventListener('work', (e) => received.push(e.lastEventId));
    try {
      await waitFor(() => greetings.length === 1, { what: 'a stream on A' });

      // Publish continuously, alternating instances while A lives; keep every acknowledged id.
      // Each publish has an Idempotency-Key, and one that gets no 202 (A died under it) is
      // retried with the same key on B until it does: the publisher's side of "exactly once".
      const publisher = publisherToken();
      const accepted: string[] = [];
      let publishing = true;
      const loop = (async () => {
        for (let n = 0; publishing; n++) {
          const key = `chaos-${process.pid}-${Date.now()}-${n}`;
          for (let attempt = 0; attempt < 200; attempt++) {
            const via = aAlive && n % 2 === 0 && attempt === 0 ? a.url : b.url;
            const receipt = await request<{ id: string }>(
              via,
              'POST',
              '/notifications/clients/survivor',
              {
                token: publisher,
                body: { event: 'work', data: { n } },
                headers: { 'idempotency-key': key },
              },
            ).catch(() => undefined);
            if (receipt?.status === 202) {
              accepted.push(receipt.body.id);
              break;
            }
          }
        }
      })();

      await waitFor(() => received.length >= 20, { what: 'events before the crash' });
      aAlive = false;
      a.process.kill('SIGKILL');
      await a.exited;
      await waitFor(() => greetings.length === 2, {
        what: 'the reconnect to B',
        timeoutMs: 10_000,
      });
      const atReconnect = received.length;
      await waitFor(() => received.length >= atReconnect + 20, {
        what: 'live events on B after the crash',
      });
      publishing = false;
      await loop;

      await waitFor(() => accepted.every((id) => received.includes(id)), {
        what: 'every accepted event',
        timeoutMs: 10_000,
      });
      expect(greetings[1].recovered).toBe(true);
      expectEveryAcceptedOnceInOrder(received, accepted);
      // With the retries keyed, not even the publish the crash cut off arrives twice or unasked.
      expect(received).toEqual([...accepted].sort(compareEventIds));
    } finally {
      source.close();
    }
  });
});

/**
 * Every acknowledged (202) event arrived, once, in id order. The publisher sends one request at a
 * time, so at most one more event may show up: one the hub accepted just as the crash cut off its
 * answer (at-least-once from the publisher's side; nothing acknowledged is lost).
 */
function expectEveryAcceptedOnceInOrder(received: string[], accepted: string[]): void {
  expect(new Set(received).size).toBe(received.length);
  expect([...received].sort(compareEventIds)).toEqual(received);
  const acceptedSet = new Set(accepted);
  expect(received.filter((id) => acceptedSet.has(id))).toEqual([...accepted].sort(compareEventIds));
  expect(received.length - accepted.length).toBeLessThanOrEqual(1);
}

describe('Redis restarts while events are being published (two instances)', () => {
  let server: PrivateRedisServer;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    server = await PrivateRedisServer.start();
    const options = {
      broker: 'redis' as const,
      redisUrl: server.url,
      redisPrefix: uniqueRedisPrefix('restart'),
      env: { SSE_PUBLISH_RATE_PER_SECOND: '0' },
    };
    [a, b] = await Promise.all([createTestApp(options), createTestApp(options)]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await server.stop();
  });

  it('loses no acknowledged event: the stream on B gets every 202 of A, once, in order', async () => {
    const reader = await connect(`${b.url}/sse`, { token: token({ sub: 'steady' }) });
    const publisher = publisherToken();
    const accepted: string[] = [];
    let refused = 0;
    let publishing = true;
    const loop = (async () => {
      for (let n = 0; publishing; n++) {
        const receipt = await publish(a.url, publisher, 'clients/steady', 'tick', { n });
        if (receipt.status === 202) accepted.push(receipt.body.id);
        else if (receipt.status === 503) refused++;
        else throw new Error(`publish answered ${receipt.status}`);
      }
    })();
    try {
      await waitFor(() => accepted.length >= 20, { what: 'events before the restart' });
      await server.stop();
      await waitFor(() => refused > 0, { what: 'a 503 while Redis is down' });
      await server.restart();
      const atRestart = accepted.length;
      await waitFor(() => accepted.length >= atRestart + 20, {
        what: 'events after the restart',
        timeoutMs: 15_000,
      });
    } finally {
      publishing = false;
      await loop;
    }
    const ticks = () => reader.ofType('tick').map((e) => e.id as string);
    await waitFor(() => accepted.every((id) => ticks().includes(id)), {
      what: 'every accepted event',
      timeoutMs: 10_000,
    });
    expectEveryAcceptedOnceInOrder(ticks(), accepted);
    expect(reader.ofType('connected')).toHaveLength(1);
    reader.close();
  });
});
