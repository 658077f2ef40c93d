import { compareEventIds } from 'nestjs-sse-hub';
import type { HubPair } from './hub-pair.js';
import type { TestApp } from './app.factory.js';
import { publish, request } from './http.js';
import { connect, type SseReader } from './sse-reader.js';
import { publisherToken, token } from './tokens.js';

/**
 * What two instances of the reference app on one shared broker must do as one hub: deliver
 * across instances, share subscriptions (applied before a later publish on the other
 * instance), keep one id order, and resume on one instance from an id the other gave. Run by
 * test/redis-multi-instance.e2e-spec.ts and test/postgres-multi-instance.e2e-spec.ts.
 */
export function sharedHubSuite(name: string, startPair: () => Promise<HubPair>): void {
  describe(name, () => {
    const publisher = publisherToken();
    const open: SseReader[] = [];
    const stream = async (hub: TestApp, sub: string, headers: Record<string, string> = {}) => {
      const reader = await connect(`${hub.url}/sse`, { token: token({ sub }), headers });
      open.push(reader);
      return reader;
    };
    let pair: HubPair;
    let a: TestApp;
    let b: TestApp;

    beforeAll(async () => {
      pair = await startPair();
      ({ a, b } = pair);
    });
    afterAll(() => pair?.close());
    afterEach(() => open.splice(0).forEach((reader) => reader.close()));

    it('delivers client, topic and broadcast events published on one instance to connections on both, once each', async () => {
      const onA = await stream(a, 'ann');
      const onB = await stream(b, 'ann'); // a second tab, on the other instance
      const other = await stream(b, 'ben');
      await request(a.url, 'POST', '/sse/subscriptions', {
        token: token({ sub: 'ben' }),
        body: { topics: ['room/1'] },
      });

      const toAnn = await publish(b.url, publisher, 'clients/ann', 'note', { to: 'ann' });
      const toRoom = await publish(a.url, publisher, 'topics/room/1', 'chat', { to: 'room' });
      const toAll = await publish(a.url, publisher, 'broadcast', 'all', { to: 'all' });
      expect([toAnn.status, toRoom.status, toAll.status]).toEqual([202, 202, 202]);

      for (const reader of [onA, onB, other]) {
        await reader.waitForEvents('all', 1);
      }
      expect(onA.events.slice(1)).toEqual([
        { id: toAnn.body.id, event: 'note', data: '{"to":"ann"}' },
        { id: toAll.body.id, event: 'all', data: '{"to":"all"}' },
      ]);
      expect(onB.events.slice(1)).toEqual(onA.events.slice(1));
      expect(other.events.slice(1)).toEqual([
        { id: toRoom.body.id, event: 'chat', data: '{"to":"room"}' },
        { id: toAll.body.id, event: 'all', data: '{"to":"all"}' },
      ]);
    });

    it('applies a subscription made through A before a topic event published through B right after it', async () => {
      const onB = await stream(b, 'cleo');
      const subscriber = token({ sub: 'cleo' });
      for (let round = 0; round < 15; round++) {
        const topic = `race/${round}`;
        const subscribed = await request(a.url, 'POST', '/sse/subscriptions', {
          token: subscriber,
          body: { topics: [topic] },
        });
        expect(subscribed.status).toBe(200);
        const receipt = await publish(b.url, publisher, `topics/${topic}`, 'race', { round });
        // B counted the delivery while fanning the event out: the subscription was already
        // in its local index, whatever the timing between the two instances.
        expect(receipt.body.delivered).toBe(1);
      }
      const got = await onB.waitForEvents('race', 15);
      expect(got.map((event) => JSON.parse(event.data).round)).toEqual([...Array(15).keys()]);
      await expect(
        request(b.url, 'GET', '/sse/subscriptions', { token: subscriber }),
      ).resolves.toMatchObject({
        body: { topics: expect.arrayContaining(['race/0', 'race/14']) },
      });
    });

    it('orders ids across both instances: every stream sees one strictly increasing sequence', async () => {
      const onA = await stream(a, 'dora');
      const onB = await stream(b, 'dora');
      const receipts = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          publish(i % 2 ? a.url : b.url, publisher, 'clients/dora', 'tick', { i }),
        ),
      );
      expect(receipts.every((receipt) => receipt.status === 202)).toBe(true);
      const accepted = receipts.map((receipt) => receipt.body.id).sort(compareEventIds);
      expect(new Set(accepted).size).toBe(60);
      for (const reader of [onA, onB]) {
        const ids = (await reader.waitForEvents('tick', 60)).map((event) => event.id as string);
        expect(ids).toEqual(accepted);
      }
    });

    it('resumes on B from an id a stream on A gave: recovered, with exactly the missed events', async () => {
      const first = await stream(a, 'eve');
      for (let i = 1; i <= 3; i++) {
        await publish(a.url, publisher, 'clients/eve', 'seen', { i });
      }
      const seen = await first.waitForEvents('seen', 3);
      first.close();
      const missed = [];
      for (let i = 4; i <= 6; i++) {
        missed.push(
          (await publish(a.url, publisher, i % 2 ? 'clients/eve' : 'broadcast', 'missed', { i }))
            .body.id,
        );
      }
      await publish(a.url, publisher, 'clients/someone-else', 'not-for-eve', {});

      const resumed = await stream(b, 'eve', { 'last-event-id': seen[2].id as string });
      expect(resumed.greeting.recovered).toBe(true);
      const replayed = await resumed.waitForEvents('missed', 3);
      expect(replayed.map((event) => [event.id, JSON.parse(event.data).i])).toEqual([
        [missed[0], 4],
        [missed[1], 5],
        [missed[2], 6],
      ]);
      const live = await publish(a.url, publisher, 'clients/eve', 'live', {});
      const [after] = await resumed.waitForEvents('live', 1);
      expect(after.id).toBe(live.body.id);
      expect(resumed.events.map((event) => event.event)).toEqual([
        'connected',
        'missed',
        'missed',
        'missed',
        'live',
      ]);
    });
  });
}
