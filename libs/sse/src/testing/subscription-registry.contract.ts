import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  parseClientId,
  parseTopic,
  type ClientId,
  type Subscription,
  type SubscriptionChange,
  type SubscriptionRegistry,
  type Topic,
} from '../domain/index.js';
import { elapse, eventually, type HubFixture } from './hub-fixture.js';

export interface SubscriptionRegistryHubOptions {
  /** How long a client's topics outlive its last connection. */
  readonly gracePeriodMs: number;
}

export type SubscriptionRegistryHubFactory = (
  options: SubscriptionRegistryHubOptions,
) => Promise<HubFixture<SubscriptionRegistry>>;

/** Short enough to keep the suite fast, long enough to tell "within" from "after". */
const GRACE_MS = 400;

const topic = (name: string): Topic => parseTopic(name);
const sub = (name: string, since = '0-0'): Subscription => ({ topic: topic(name), since });
const byTopic = (a: Subscription, b: Subscription): number => a.topic.localeCompare(b.topic);
const sorted = (subscriptions: Subscription[]): Subscription[] => [...subscriptions].sort(byTopic);
const topicsOf = async (registry: SubscriptionRegistry, clientId: ClientId): Promise<string[]> =>
  (await registry.list(clientId)).map((s) => s.topic).sort();

function watchAll(registry: SubscriptionRegistry): {
  changes: SubscriptionChange[];
  stop: () => void;
} {
  const changes: SubscriptionChange[] = [];
  const stop = registry.watch((change) => changes.push(change));
  return { changes, stop };
}

const expiredFor = (changes: SubscriptionChange[], clientId: ClientId): boolean =>
  changes.some((change) => change.kind === 'expired' && change.clientId === clientId);

/**
 * What every `SubscriptionRegistry` adapter must do: topics per client shared by every
 * instance, changes reported on every instance, and expiry a grace period after the client's
 * last connection closed, whichever instance it was on.
 * @publicApi
 */
export function subscriptionRegistryContract(
  name: string,
  createHub: SubscriptionRegistryHubFactory,
): void {
  describe(`SubscriptionRegistry contract: ${name}`, () => {
    let hub: HubFixture<SubscriptionRegistry>;
    let clientCount = 0;
    /** A client id no other test uses. */
    const client = (): ClientId => parseClientId(`client-${++clientCount}`);

    beforeEach(async () => {
      hub = await createHub({ gracePeriodMs: GRACE_MS });
    });
    afterEach(() => hub.close());

    it('adds topics, keeps the first `since` of a topic held twice, and lists them', async () => {
      const registry = await hub.instance();
      const alice = client();
      await registry.connectionOpened(alice);
      expect(sorted(await registry.add(alice, [sub('a', '1-0'), sub('b/c', '1-0')]))).toEqual([
        sub('a', '1-0'),
        sub('b/c', '1-0'),
      ]);
      expect(sorted(await registry.add(alice, [sub('a', '9-0'), sub('d', '9-0')]))).toEqual([
        sub('a', '1-0'),
        sub('b/c', '1-0'),
        sub('d', '9-0'),
      ]);
      expect(sorted(await registry.list(alice))).toEqual([
        sub('a', '1-0'),
        sub('b/c', '1-0'),
        sub('d', '9-0'),
      ]);
      await expect(registry.list(client())).resolves.toEqual([]);
      await registry.connectionClosed(alice);
    });

    it('removes topics and returns what is left; unknown topics change nothing', async () => {
      const registry = await hub.instance();
      const bob = client();
      await registry.connectionOpened(bob);
      await registry.add(bob, [sub('a'), sub('b'), sub('c')]);
      expect(sorted(await registry.remove(bob, [topic('a'), topic('zzz')]))).toEqual([
        sub('b'),
        sub('c'),
      ]);
      await expect(registry.remove(client(), [topic('a')])).resolves.toEqual([]);
      await registry.connectionClosed(bob);
    });

    it('shares topics between instances, and reports every change on every instance', async () => {
      const a = await hub.instance();
      const b = await hub.instance();
      const onA = watchAll(a);
      const onB = watchAll(b);
      const carol = client();
      await a.connectionOpened(carol);
      await a.add(carol, [sub('x', '5-0'), sub('y', '5-0')]);
      await a.add(carol, [sub('x', '6-0')]); // held already: no change
      await b.remove(carol, [topic('y'), topic('never-held')]);
      expect(await topicsOf(b, carol)).toEqual(['x']);
      expect(await topicsOf(a, carol)).toEqual(['x']);
      // (An adapter may add an id naming the change, the same on every instance.)
      const expected = [
        expect.objectContaining({
          kind: 'added',
          clientId: carol,
          subscriptions: [sub('x', '5-0'), sub('y', '5-0')],
        }),
        expect.objectContaining({ kind: 'removed', clientId: carol, topics: [topic('y')] }),
      ];
      for (const seen of [onA, onB]) {
        await eventually(() => seen.changes.length >= 2, 'both changes');
        expect(seen.changes).toEqual(expected);
      }
      onA.stop();
      await a.connectionClosed(carol);
    });

    it('keeps topics past the grace period while a connection is open', async () => {
      const registry = await hub.instance();
      const dave = client();
      await registry.connectionOpened(dave);
      await registry.add(dave, [sub('kept')]);
      await elapse(GRACE_MS * 2);
      expect(await topicsOf(registry, dave)).toEqual(['kept']);
      await registry.connectionClosed(dave);
    });

    it('clears them a grace period after the last connection closed, on whichever instance', async () => {
      const a = await hub.instance();
      const b = await hub.instance();
      const onA = watchAll(a);
      const onB = watchAll(b);
      const erin = client();
      await a.connectionOpened(erin);
      await b.connectionOpened(erin);
      await b.connectionOpened(erin); // a second tab on b
      await a.add(erin, [sub('news')]);
      await a.connectionClosed(erin);
      await b.connectionClosed(erin);
      // One tab on b is still open.
      await elapse(GRACE_MS * 2);
      expect(await topicsOf(a, erin)).toEqual(['news']);
      const closedAt = Date.now();
      await b.connectionClosed(erin);
      await eventually(async () => (await topicsOf(a, erin)).length === 0, 'the topics to expire');
      expect(Date.now() - closedAt).toBeGreaterThanOrEqual(GRACE_MS - 50);
      for (const seen of [onA, onB]) {
        await eventually(() => expiredFor(seen.changes, erin), 'the expiry on every instance');
      }
      expect(await topicsOf(b, erin)).toEqual([]);
    });

    it('keeps them when the client reconnects within the grace period', async () => {
      const a = await hub.instance();
      const b = await hub.instance();
      const frank = client();
      await a.connectionOpened(frank);
      await a.add(frank, [sub('stay')]);
      await a.connectionClosed(frank);
      await elapse(GRACE_MS / 8);
      await b.connectionOpened(frank); // the EventSource reconnected, to another instance
      await elapse(GRACE_MS * 2);
      expect(await topicsOf(a, frank)).toEqual(['stay']);
      await b.connectionClosed(frank);
    });

    it('clears the topics of a client that never connected once the grace period has passed', async () => {
      const registry = await hub.instance();
      const seen = watchAll(registry);
      const gina = client();
      const other = client();
      await registry.connectionOpened(other);
      await registry.add(gina, [sub('t')]);
      await registry.add(other, [sub('t')]);
      await eventually(() => expiredFor(seen.changes, gina), 'the expiry');
      await expect(registry.list(gina)).resolves.toEqual([]);
      expect(await topicsOf(registry, other)).toEqual(['t']);
      expect(expiredFor(seen.changes, other)).toBe(false);
      await registry.connectionClosed(other);
    });
  });
}
