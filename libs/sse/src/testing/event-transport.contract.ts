import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  ClosedTransportError,
  compareEventIds,
  parseEventType,
  toEveryone,
  type EventHistory,
  type EventTransport,
  type HubEvent,
} from '../domain/index.js';
import { eventually, type HubFixture, type MaybeClosable } from './hub-fixture.js';

/**
 * One instance's event path: the history that accepts events and the transport that fans them
 * out. They are tested together because the hub always publishes an event its history accepted
 * (some transports, like the Redis stream, deliver what the history holds).
 */
export interface EventStreamInstance {
  readonly history: EventHistory;
  readonly transport: EventTransport & MaybeClosable;
}

export type EventTransportHubFactory = () => Promise<HubFixture<EventStreamInstance>>;

/** Accepts an event on one instance and publishes it, the way NotificationService does. */
async function publish(instance: EventStreamInstance, n: number): Promise<HubEvent> {
  const event = await instance.history.append({
    type: parseEventType('test.event'),
    data: { n },
    target: toEveryone(),
  });
  await instance.transport.publish(event);
  return event;
}

function record(transport: EventTransport): { events: HubEvent[]; stop: () => void } {
  const events: HubEvent[] = [];
  const stop = transport.subscribe((event) => events.push(event));
  return { events, stop };
}

/**
 * What every `EventTransport` adapter must do: an accepted, published event reaches every
 * subscriber on every instance once, in id order.
 * @publicApi
 */
export function eventTransportContract(name: string, createHub: EventTransportHubFactory): void {
  describe(`EventTransport contract: ${name}`, () => {
    let hub: HubFixture<EventStreamInstance>;
    beforeEach(async () => {
      hub = await createHub();
    });
    afterEach(() => hub.close());

    it('hands a published event to every subscriber of every instance, once each', async () => {
      const a = await hub.instance();
      const b = await hub.instance();
      const onA = record(a.transport);
      const onB = record(b.transport);
      const alsoOnB = record(b.transport);
      const event = await publish(a, 1);
      for (const seen of [onA, onB, alsoOnB]) {
        await eventually(() => seen.events.length >= 1, 'the event on every subscriber');
      }
      // A later event shows nothing more was coming for the first one.
      const marker = await publish(b, 2);
      for (const seen of [onA, onB, alsoOnB]) {
        await eventually(() => seen.events.some((e) => e.id === marker.id), 'the marker');
        expect(seen.events).toEqual([event, marker]);
      }
    });

    it('hands events to each handler in id order, from publishers on any instance', async () => {
      const a = await hub.instance();
      const b = await hub.instance();
      const onA = record(a.transport);
      const onB = record(b.transport);
      const published = await Promise.all(
        Array.from({ length: 60 }, (_, n) => publish(n % 2 === 0 ? a : b, n)),
      );
      const expected = [...published].sort((x, y) => compareEventIds(x.id, y.id));
      for (const seen of [onA, onB]) {
        await eventually(() => seen.events.length >= 60, 'all 60 events');
        expect(seen.events.map((e) => e.id)).toEqual(expected.map((e) => e.id));
        expect(seen.events).toEqual(expected);
      }
    });

    it('stops handing events to a handler once it unsubscribed', async () => {
      const a = await hub.instance();
      const stopped = record(a.transport);
      const staying = record(a.transport);
      const first = await publish(a, 1);
      await eventually(
        () => stopped.events.length === 1 && staying.events.length === 1,
        'the first event',
      );
      stopped.stop();
      const second = await publish(a, 2);
      await eventually(() => staying.events.length === 2, 'the second event');
      expect(stopped.events).toEqual([first]);
      expect(staying.events).toEqual([first, second]);
    });

    it('refuses to publish once closed', async () => {
      const a = await hub.instance();
      const event = await publish(a, 1);
      if (!a.transport.close) {
        return; // an adapter without a lifecycle has nothing to close
      }
      await a.transport.close();
      await expect(a.transport.publish(event)).rejects.toBeInstanceOf(ClosedTransportError);
    });
  });
}
