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
    hub = await createTestApp({
      broker,
      env: { SSE_HISTORY_SIZE: String(HISTORY), SSE_RETRY_MS: '50' },
    });
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

    const resumed = await connect(`${hub.url}/sse`, {
      token: jwt,
      headers: { 'last-event-id': seen },
    });
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
    const both = await connect(`${hub.url}/sse?lastEventId=${ids[0]}`, {
      token: jwt,
      headers: { 'last-event-id': ids[1] },
    });
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
    const resumed = await connect(`${hub.url}/sse`, {
      token: jwt,
      headers: { 'last-event-id': old },
    });
    try {
      expect(resumed.greeting.recovered).toBe(false);
      const replayed = await resumed.waitForEvents('msg', HISTORY);
      expect(replayed.map((e) => e.id)).toEqual(later.slice(-HISTORY));
    } finally {
      resumed.close();
    }
  });

  it('answers an id it cannot read with 200 and recovered:false, replays nothing, and streams live events', async () => {
    const jwt = token({ sub: 'replay-unreadable' });
    await sendTo('replay-unreadable', 2);
    // A native EventSource gives up for good on any non-200 answer to a reconnect.
    const byHeader = await connect(`${hub.url}/sse`, {
      token: jwt,
      headers: { 'last-event-id': 'from-another-hub' },
    });
    const byQuery = await connect(`${hub.url}/sse?lastEventId=${'9'.repeat(40)}-0`, { token: jwt });
    try {
      for (const reader of [byHeader, byQuery]) {
        expect(reader.greeting.recovered).toBe(false);
      }
      const [live] = await sendTo('replay-unreadable', 1, 'after');
      for (const reader of [byHeader, byQuery]) {
        expect((await reader.waitForEvents('after', 1)).map((e) => e.id)).toEqual([live]);
        expect(reader.ofType('msg')).toHaveLength(0);
      }
    } finally {
      byHeader.close();
      byQuery.close();
    }
  });

  it('says recovered:false for an id ahead of the newest event, and streams live events at once', async () => {
    const jwt = token({ sub: 'replay-ahead' });
    const [newest] = await sendTo('replay-ahead', 1);
    // Another deployment, or a clock that stepped back across a restart: an hour ahead.
    const ahead = `${Number(newest.split('-')[0]) + 3_600_000}-0`;
    const reader = await connect(`${hub.url}/sse`, {
      token: jwt,
      headers: { 'last-event-id': ahead },
    });
    try {
      expect(reader.greeting.recovered).toBe(false);
      const live = await sendTo('replay-ahead', 2, 'after');
      expect((await reader.waitForEvents('after', 2)).map((e) => e.id)).toEqual(live);
      expect(reader.ofType('msg')).toHaveLength(0);
      // The greeting names a point this hub knows, so a reconnect from it resumes for real.
      const again = await connect(`${hub.url}/sse`, {
        token: jwt,
        headers: { 'last-event-id': reader.greetingId! },
      });
      try {
        expect(again.greeting.recovered).toBe(true);
        expect((await again.waitForEvents('after', 2)).map((e) => e.id)).toEqual(live);
      } finally {
        again.close();
      }
    } finally {
      reader.close();
    }
  });

  it('says recovered:false for an id from before its history began (a restarted in-memory instance, a Redis that lost its data)', async () => {
    const jwt = token({ sub: 'replay-restart' });
    const [beforeRestart] = await sendTo('replay-restart', 1);
    // A new life of the hub: a new process for the in-memory broker, an empty keyspace for Redis.
    const reborn = await createTestApp({
      broker,
      env: { SSE_HISTORY_SIZE: String(HISTORY), SSE_RETRY_MS: '50' },
    });
    try {
      const fresh = await connect(`${reborn.url}/sse`, { token: jwt });
      fresh.close();
      for (const lastEventId of [beforeRestart, '0-0']) {
        const resumed = await connect(`${reborn.url}/sse`, {
          token: jwt,
          headers: { 'last-event-id': lastEventId },
        });
        resumed.close();
        expect(resumed.greeting.recovered).toBe(false);
      }
      // What it handed out itself, before its first event, it can vouch for.
      expect(
        (await publish(reborn.url, publisher, 'clients/replay-restart', 'msg', { i: 0 })).status,
      ).toBe(202);
      for (const lastEventId of [beforeRestart, '0-0']) {
        const resumed = await connect(`${reborn.url}/sse`, {
          token: jwt,
          headers: { 'last-event-id': lastEventId },
        });
        try {
          expect(resumed.greeting.recovered).toBe(false);
          // What it has is still replayed.
          expect(await resumed.waitForEvents('msg', 1)).toHaveLength(1);
        } finally {
          resumed.close();
        }
      }
      const fromBeginning = await connect(`${reborn.url}/sse`, {
        token: jwt,
        headers: { 'last-event-id': fresh.greetingId! },
      });
      try {
        expect(fromBeginning.greeting.recovered).toBe(true);
        expect(await fromBeginning.waitForEvents('msg', 1)).toHaveLength(1);
      } finally {
        fromBeginning.close();
      }
    } finally {
      await reborn.close();
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
    const beforeSubscribing = await publish(
      hub.url,
      publisher,
      'topics/replay-news',
      'news',
      'too early',
    );
    await request(hub.url, 'POST', '/sse/subscriptions', {
      token: jwt,
      body: { topics: ['replay-news'] },
    });
    const afterSubscribing = await publish(
      hub.url,
      publisher,
      'topics/replay-news',
      'news',
      'entitled',
    );
    const someoneElse = await publish(
      hub.url,
      publisher,
      'clients/replay-other',
      'news',
      'not yours',
    );
    const everyone = await publish(hub.url, publisher, 'broadcast', 'news', 'for all');
    const resumed = await connect(`${hub.url}/sse`, {
      token: jwt,
      headers: { 'last-event-id': start },
    });
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
