import { EventSource } from 'eventsource';
import { BROKERS } from './helpers/brokers.js';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { publish, request } from './helpers/http.js';
import { connect } from './helpers/sse-reader.js';
import { startTcpProxy } from './helpers/tcp-proxy.js';
import { publisherToken, token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

describe.each(BROKERS)('Replay on reconnect (%s broker)', (broker) => {
  let hub: TestApp;
  const publisher = publisherToken();
  const HISTORY = 20;

  beforeAll(async () => {
    hub = await createTestApp({ broker, env: { SSE_HISTORY_SIZE: String(HISTORY), SSE_RETRY_MS: '50' } });
  });
  afterAll(() => hub.close());

  const sendTo = async (clientId: string, count: number, type = 'msg') => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      ids.push((await publish(hub.url, publisher, `clients/${clientId}`, type, { i })).body.id);
    }
    return ids;
  };

  it('resumes exactly after Last-Event-ID: missed events in order, then live, no duplicate', async () => {
    const jwt = token({ sub: 'replay-header' });
    const first = await connect(`${hub.url}/sse`, { token: jwt });
    const [seen] = await sendTo('replay-header', 1);
    await first.waitForEvents('msg', 1);
    first.close();
    const missed = await sendTo('replay-header', 3);

    const resumed = await connect(`${hub.url}/sse`, { token: jwt, headers: { 'last-event-id': seen } });
    try {
      expect(resumed.greeting.recovered).toBe(true);
      const replayed = await resumed.waitForEvents('msg', 3);
      expect(replayed.map((e) => e.id)).toEqual(missed);
      expect(replayed.map((e) => JSON.parse(e.data).i)).toEqual([0, 1, 2]);
      const [live] = await sendTo('replay-header', 1);
      const all = await resumed.waitForEvents('msg', 4);
      expect(all.map((e) => e.id)).toEqual([...missed, live]);
    } finally {
      resumed.close();
    }
  });

  it('takes ?lastEventId= for clients that cannot set headers; the header wins over it', async () => {
    const jwt = token({ sub: 'replay-query' });
    const ids = await sendTo('replay-query', 3);
    const byQuery = await connect(`${hub.url}/sse?lastEventId=${ids[0]}`, { token: jwt });
    const both = await connect(`${hub.url}/sse?lastEventId=${ids[0]}`, { token: jwt, headers: { 'last-event-id': ids[1] } });
    try {
      expect((await byQuery.waitForEvents('msg', 2)).map((e) => e.id)).toEqual(ids.slice(1));
      expect((await both.waitForEvents('msg', 1)).map((e) => e.id)).toEqual(ids.slice(2));
      // The greeting carries the resume point, so a reconnect before any event misses nothing.
      expect(both.greetingId).toBe(ids[1]);
    } finally {
      byQuery.close();
      both.close();
    }
  });

  it('says recovered:false when history no longer reaches back, and replays what it kept', async () => {
    const jwt = token({ sub: 'replay-lost' });
    const [old] = await sendTo('replay-lost', 1);
    const later = await sendTo('replay-lost', HISTORY + 5);
    const resumed = await connect(`${hub.url}/sse`, { token: jwt, headers: { 'last-event-id': old } });
    try {
      expect(resumed.greeting.recovered).toBe(false);
      const replayed = await resumed.waitForEvents('msg', HISTORY);
      expect(replayed.map((e) => e.id)).toEqual(later.slice(-HISTORY));
    } finally {
      resumed.close();
    }
  });

  it('gives a fresh connection no recovered flag and no old events', async () => {
    const jwt = token({ sub: 'replay-fresh' });
    await sendTo('replay-fresh', 2);
    const reader = await connect(`${hub.url}/sse`, { token: jwt });
    try {
      expect(reader.greeting).not.toHaveProperty('recovered');
      await sendTo('replay-fresh', 1, 'after');
      await reader.waitForEvents('after', 1);
      expect(reader.ofType('msg')).toHaveLength(0);
    } finally {
      reader.close();
    }
  });

  it('replays only what the client was entitled to when each event was published', async () => {
    const jwt = token({ sub: 'replay-entitled' });
    const reader = await connect(`${hub.url}/sse`, { token: jwt });
    const start = reader.greetingId as string;
    reader.close();
    const beforeSubscribing = await publish(hub.url, publisher, 'topics/replay-news', 'news', 'too early');
    await request(hub.url, 'POST', '/sse/subscriptions', { token: jwt, body: { topics: ['replay-news'] } });
    const afterSubscribing = await publish(hub.url, publisher, 'topics/replay-news', 'news', 'entitled');
    const someoneElse = await publish(hub.url, publisher, 'clients/replay-other', 'news', 'not yours');
    const everyone = await publish(hub.url, publisher, 'broadcast', 'news', 'for all');
    const resumed = await connect(`${hub.url}/sse`, { token: jwt, headers: { 'last-event-id': start } });
    try {
      const marker = await publish(hub.url, publisher, 'clients/replay-entitled', 'marker', 'end');
      await resumed.waitForEvents('marker', 1);
      const ids = resumed.ofType('news').map((e) => e.id);
      expect(ids).toEqual([afterSubscribing.body.id, everyone.body.id]);
      expect(ids).not.toContain(beforeSubscribing.body.id);
      expect(ids).not.toContain(someoneElse.body.id);
      expect(marker.status).toBe(202);
    } finally {
      resumed.close();
    }
  });

  it('lets a real EventSource reconnect through a network cut and lose nothing', async () => {
    const proxy = await startTcpProxy(hub.url);
    const jwt = token({ sub: 'replay-es' });
    const received: string[] = [];
    const greetings: { recovered?: boolean }[] = [];
    const source = new EventSource(`${proxy.url}/sse?token=${jwt}`);
    source.addEventListener('connected', (e) => greetings.push(JSON.parse(e.data)));
    source.addEventListener('msg', (e) => received.push(e.lastEventId));
    try {
      await waitFor(() => greetings.length === 1, { what: 'first connection' });
      const before = await sendTo('replay-es', 2);
      await waitFor(() => received.length === 2, { what: 'first events' });
      proxy.cutAll();
      const during = await sendTo('replay-es', 3);
      await waitFor(() => greetings.length === 2, { what: 'the reconnect', timeoutMs: 10_000 });
      const after = await sendTo('replay-es', 1);
      await waitFor(() => received.length === 6, { what: 'every event' });
      expect(received).toEqual([...before, ...during, ...after]);
      expect(greetings[1].recovered).toBe(true);
    } finally {
      source.close();
      await proxy.close();
    }
  });
});
