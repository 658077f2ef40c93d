import { freePort } from './helpers/free-port.js';
import { EventSource } from 'eventsource';
import { buildAppOnce, removeBuild, startChildApp, type ChildApp } from './helpers/child-app.js';
import { fetchFrom } from './helpers/fetch-from.js';
import { publish } from './helpers/http.js';
import { NginxServer } from './helpers/nginx.js';
import { deleteRedisPrefix, SHARED_REDIS_URL, uniqueRedisPrefix } from './helpers/redis.js';
import { publisherToken, token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

const CLIENTS = 1_000;
/** Every client of the killed instance streams again within this (EventSource waits `retry`, 3 s, first). */
const BACK_WITHIN_MS = 15_000;
const PUBLISH_EVERY_MS = 200;

/** One browser-like client: the `eventsource` package, from an address of its own. */
class Client {
  readonly source: EventSource;
  readonly received: number[] = [];
  readonly recovered: (boolean | undefined)[] = [];
  connects = 0;

  constructor(url: string, index: number) {
    const address = `127.0.${1 + Math.floor(index / 250)}.${1 + (index % 250)}`;
    this.source = new EventSource(`${url}/sse?token=${token({ sub: `storm-${index}` })}`, {
      fetch: fetchFrom(address),
    });
    this.source.addEventListener('connected', (event) => {
      this.connects++;
      this.recovered.push(JSON.parse(event.data).recovered);
    });
    this.source.addEventListener('tick', (event) => this.received.push(JSON.parse(event.data).n));
  }
}

/**
 * Two instances on Redis behind nginx, configured as docs/nginx-two-instances.conf and
 * docs/redis.md say (TRUST_PROXY=loopback), 1,000 EventSource clients, each from its own address.
 * One instance is killed under a steady publisher: every client of it is streaming again within a
 * bound, none gave up, and every event reached every client once, in order.
 */
describe('A reconnect storm through nginx', () => {
  const prefix = uniqueRedisPrefix('storm');
  const publisher = publisherToken();
  let outDir: string;
  const apps: ChildApp[] = [];
  let nginx: NginxServer | undefined;
  const clients: Client[] = [];

  beforeAll(async () => {
    outDir = buildAppOnce('storm');
    const env = {
      SSE_BROKER: 'redis',
      REDIS_URL: SHARED_REDIS_URL,
      SSE_REDIS_PREFIX: prefix,
      TRUST_PROXY: 'loopback',
      SSE_ACCESS_LOG: 'off',
    };
    apps.push(...(await Promise.all([startChildApp(outDir, env), startChildApp(outDir, env)])));
    nginx = await NginxServer.start(
      await freePort(),
      apps.map((app) => Number(new URL(app.url).port)),
    );
  }, 180_000);

  afterAll(async () => {
    clients.forEach((client) => client.source.close());
    await nginx?.stop();
    apps.forEach((app) => app.process.kill('SIGKILL'));
    await Promise.all(apps.map((app) => app.exited));
    await deleteRedisPrefix(prefix);
    if (outDir) removeBuild(outDir);
  });

  it('brings every client of a killed instance back within the bound, none stranded, nothing lost or repeated', async () => {
    const proxy = nginx as NginxServer;
    for (let i = 0; i < CLIENTS; i++) clients.push(new Client(proxy.url, i));
    await waitFor(() => clients.every((client) => client.connects === 1), {
      timeoutMs: 60_000,
      what: `${CLIENTS} clients connected through nginx`,
    });

    // A steady publisher on the instance that stays up.
    const [doomed, survivor] = apps;
    const accepted: number[] = [];
    let publishing = true;
    const publisherLoop = (async () => {
      for (let n = 0; publishing; n++) {
        const receipt = await publish(survivor.url, publisher, 'broadcast', 'tick', { n });
        if (receipt.status === 202) accepted.push(n);
        await new Promise((resolve) => setTimeout(resolve, PUBLISH_EVERY_MS));
      }
    })();
    await waitFor(() => accepted.length >= 3, { what: 'the first events' });

    const killedAt = Date.now();
    doomed.process.kill('SIGKILL');
    await doomed.exited;
    // Which clients were on the killed instance: those the kill made reconnect.
    await waitFor(() => clients.filter((client) => client.connects === 2).length > 0, {
      timeoutMs: BACK_WITHIN_MS,
      what: 'the first reconnect',
    });
    await waitFor(
      () =>
        clients.every((client) => client.source.readyState === EventSource.OPEN) &&
        clients.some((c) => c.connects === 2),
      { timeoutMs: BACK_WITHIN_MS, intervalMs: 50, what: 'every client streaming again' },
    );
    const allBackMs = Date.now() - killedAt;
    const moved = clients.filter((client) => client.connects === 2);

    await new Promise((resolve) => setTimeout(resolve, 3 * PUBLISH_EVERY_MS));
    publishing = false;
    await publisherLoop;
    await waitFor(() => clients.every((client) => client.received.length >= accepted.length), {
      timeoutMs: 20_000,
      what: 'every accepted event on every client',
    });

    console.log(
      `reconnect storm: ${moved.length} of ${CLIENTS} clients were on the killed instance; all streaming again ` +
        `${allBackMs} ms after the kill; ${accepted.length} events published meanwhile`,
    );
    expect(moved.length).toBeGreaterThan(CLIENTS / 4); // nginx spread them over both
    expect(allBackMs).toBeLessThan(BACK_WITHIN_MS);
    for (const client of clients) {
      expect(client.source.readyState).toBe(EventSource.OPEN); // nobody gave up
      expect(client.received).toEqual(accepted); // once each, in order
    }
    for (const client of moved) {
      expect(client.recovered).toEqual([undefined, true]);
    }
  }, 150_000);
});
