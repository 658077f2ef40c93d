import { EventSource } from 'eventsource';
import { buildAppOnce, removeBuild, startChildApp, type ChildApp } from './helpers/child-app.js';
import { publish } from './helpers/http.js';
import { deleteRedisPrefix, SHARED_REDIS_URL, uniqueRedisPrefix } from './helpers/redis.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';
import { publisherToken, token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

/**
 * Chaos with Redis: one of two instances is killed (SIGKILL, no goodbye) while events are being
 * published, and its clients come back through the load balancer to the other instance with
 * nothing lost.
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
      const publisher = publisherToken();
      const accepted: string[] = [];
      let publishing = true;
      const loop = (async () => {
        for (let n = 0; publishing; n++) {
          const via = aAlive && n % 2 === 0 ? a.url : b.url;
          const receipt = await publish(via, publisher, 'clients/survivor', 'work', { n }).catch(() => undefined);
          if (receipt?.status === 202) accepted.push(receipt.body.id);
        }
      })();

      await waitFor(() => received.length >= 20, { what: 'events before the crash' });
      aAlive = false;
      a.process.kill('SIGKILL');
      await a.exited;
      await waitFor(() => greetings.length === 2, { what: 'the reconnect to B', timeoutMs: 10_000 });
      const atReconnect = received.length;
      await waitFor(() => received.length >= atReconnect + 20, { what: 'live events on B after the crash' });
      publishing = false;
      await loop;

      await waitFor(() => received.length >= accepted.length, { what: 'every accepted event', timeoutMs: 10_000 });
      expect(greetings[1].recovered).toBe(true);
      expect(received).toEqual([...accepted].sort(compareIds));
      expect(new Set(received).size).toBe(received.length);
    } finally {
      source.close();
    }
  });
});

function compareIds(x: string, y: string): number {
  const [xm, xs] = x.split('-').map(Number);
  const [ym, ys] = y.split('-').map(Number);
  return xm - ym || xs - ys;
}
