import type { TestApp } from './helpers/app.factory.js';
import { request } from './helpers/http.js';
import { BROKERS } from './helpers/brokers.js';
import { startHubPair, type HubPair } from './helpers/hub-pair.js';
import { connect, type SseReader } from './helpers/sse-reader.js';
import { token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

const GRACE_MS = 300;

/** Two instances on one Redis (on the memory broker, A = B). */
describe.each(BROKERS)(
  'Presence events (SSE_PRESENCE_EVENTS=on, %s broker)',
  (broker) => {
    let a: TestApp;
    let b: TestApp;
    let pair: HubPair;
    let watcher: SseReader;
    const open: SseReader[] = [];

    beforeAll(async () => {
      const env = { SSE_PRESENCE_EVENTS: 'on', SSE_SUBSCRIPTION_GRACE_MS: String(GRACE_MS) };
      ({ a, b } = pair = await startHubPair(broker, env));
      // A dashboard watching who is in room/9 (its token allows the companion topic).
      watcher = await connect(`${a.url}/sse?topic=presence:room/9`, {
        token: token({ sub: 'dashboard', topics: ['presence:room/*'] }),
      });
    });
    afterEach(() => open.splice(0).forEach((reader) => reader.close()));
    afterAll(async () => {
      watcher.close();
      await pair.close();
    });

    const presenceOf = (clientId: string) =>
      watcher.events
        .filter((e) => e.event?.startsWith('presence.') && JSON.parse(e.data).clientId === clientId)
        .map((e) => `${e.event} ${JSON.parse(e.data).topic}`);

    it('announces a client with tabs on both instances once when it joins, and once when it unsubscribes', async () => {
      const jwt = token({ sub: 'nina' });
      open.push(
        await connect(`${a.url}/sse?topic=room/9`, { token: jwt }),
        await connect(`${b.url}/sse?topic=room/9`, { token: jwt }),
      );
      await watcher.waitForEvents('presence.join', 1);
      const left = await request(b.url, 'DELETE', '/sse/subscriptions', {
        token: jwt,
        body: { topics: ['room/9'] },
      });
      expect(left.status).toBe(200);
      await watcher.waitForEvents('presence.leave', 1);
      // Anything repeated (a second instance announcing too) would arrive right behind.
      await request(a.url, 'POST', '/sse/subscriptions', {
        token: token({ sub: 'marker' }),
        body: { topics: ['room/9'] },
      });
      await watcher.waitForEvents('presence.join', 2);
      expect(presenceOf('nina')).toEqual(['presence.join room/9', 'presence.leave room/9']);
    });

    it('announces the leave once the grace period after its last stream has passed, not per tab', async () => {
      const jwt = token({ sub: 'omar' });
      const tabs = [
        await connect(`${a.url}/sse?topic=room/9`, { token: jwt }),
        await connect(`${b.url}/sse?topic=room/9`, { token: jwt }),
      ];
      await watcher.waitForEvents('presence.join', 3);
      tabs[0].close();
      await new Promise((resolve) => setTimeout(resolve, 2 * GRACE_MS)); // a tab is left: no leave yet
      expect(presenceOf('omar')).toEqual(['presence.join room/9']);
      tabs[1].close();
      await waitFor(() => presenceOf('omar').length === 2, {
        what: "omar's leave",
        timeoutMs: 5_000 + GRACE_MS,
      });
      // A repeated leave would arrive right behind: a marker published after it arrives first.
      await request(a.url, 'POST', '/sse/subscriptions', {
        token: token({ sub: 'marker-2' }),
        body: { topics: ['room/9'] },
      });
      await waitFor(() => presenceOf('marker-2').length >= 1, { what: 'the marker' });
      expect(presenceOf('omar')).toEqual(['presence.join room/9', 'presence.leave room/9']);
    });
  },
);
