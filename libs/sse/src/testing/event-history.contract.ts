import { afterEach, describe, expect, it } from '@jest/globals';
import {
  BEGINNING,
  compareEventIds,
  isEventId,
  parseClientId,
  parseEventType,
  parseTopic,
  toClient,
  toEveryone,
  toTopic,
  type EventDraft,
  type EventHistory,
  type EventId,
} from '../domain/index.js';
import type { HubFixture } from './hub-fixture.js';

export interface EventHistoryHubOptions {
  /** Events the history keeps. */
  readonly capacity: number;
}

/** Makes a fresh hub whose instances' histories keep `capacity` events. */
export type EventHistoryHubFactory = (
  options: EventHistoryHubOptions,
) => Promise<HubFixture<EventHistory>>;

const draft = (n: number, data: unknown = { n }): EventDraft => ({
  type: parseEventType('test.event'),
  data,
  target: toEveryone(),
});

const ids = (events: readonly { id: EventId }[]): EventId[] => events.map((event) => event.id);
const byId = (a: EventId, b: EventId): number => compareEventIds(a, b);

/**
 * What every `EventHistory` adapter must do, run with `describe` blocks: ids in the hub-wide
 * order from any instance, exact replay, and truthful completeness once history was trimmed.
 * @publicApi
 */
export function eventHistoryContract(name: string, createHub: EventHistoryHubFactory): void {
  describe(`EventHistory contract: ${name}`, () => {
    let hub: HubFixture<EventHistory> | undefined;
    const open = async (capacity = 100): Promise<HubFixture<EventHistory>> => {
      hub = await createHub({ capacity });
      return hub;
    };
    afterEach(async () => {
      await hub?.close();
      hub = undefined;
    });

    it('starts empty: head is the beginning, a replay from it is complete and empty', async () => {
      const history = await (await open()).instance();
      await expect(history.headId()).resolves.toBe(BEGINNING);
      await expect(history.readAfter(BEGINNING, 10)).resolves.toEqual({
        events: [],
        complete: true,
      });
    });

    it('gives ids of the <ms>-<seq> shape, strictly increasing in acceptance order', async () => {
      const history = await (await open()).instance();
      const sequential: EventId[] = [];
      for (let n = 0; n < 20; n++) {
        sequential.push((await history.append(draft(n))).id);
      }
      expect(sequential.every(isEventId)).toBe(true);
      expect([...sequential].sort(byId)).toEqual(sequential);
      expect(new Set(sequential).size).toBe(sequential.length);
      await expect(history.headId()).resolves.toBe(sequential[sequential.length - 1]);
    });

    it('gives concurrent appends unique ids, and keeps them in id order', async () => {
      const history = await (await open()).instance();
      const accepted = await Promise.all(
        Array.from({ length: 50 }, (_, n) => history.append(draft(n))),
      );
      const acceptedIds = ids(accepted);
      expect(new Set(acceptedIds).size).toBe(50);
      const page = await history.readAfter(BEGINNING, 100);
      expect(ids(page.events)).toEqual([...acceptedIds].sort(byId));
    });

    it('keeps type, target and data exactly as appended', async () => {
      const history = await (await open()).instance();
      const drafts: EventDraft[] = [
        { type: parseEventType('a'), data: 'a string, not JSON: {"x":1}', target: toEveryone() },
        {
          type: parseEventType('b.c:d-e_f'),
          data: '42',
          target: toClient(parseClientId('user 1/é')),
        },
        { type: parseEventType('g'), data: 42, target: toTopic(parseTopic('news/sport')) },
        { type: parseEventType('h'), data: null, target: toEveryone() },
        {
          type: parseEventType('i'),
          data: { nested: [1, 'two', null, true, { deep: 'multi\nline ✓ 漢字' }] },
          target: toEveryone(),
        },
        { type: parseEventType('j'), data: '', target: toEveryone() },
      ];
      const accepted = [];
      for (const each of drafts) {
        accepted.push(await history.append(each));
      }
      accepted.forEach((event, i) =>
        expect(event).toEqual({ ...drafts[i], id: expect.any(String) }),
      );
      const page = await history.readAfter(BEGINNING, 100);
      expect(page.events).toEqual(accepted);
    });

    it('replays exactly the events after an id, oldest first, at most `limit`', async () => {
      const history = await (await open()).instance();
      const accepted = [];
      for (let n = 0; n < 10; n++) {
        accepted.push(await history.append(draft(n)));
      }
      await expect(history.readAfter(accepted[3].id, 100)).resolves.toEqual({
        events: accepted.slice(4),
        complete: true,
      });
      await expect(history.readAfter(accepted[3].id, 2)).resolves.toEqual({
        events: accepted.slice(4, 6),
        complete: true,
      });
      await expect(history.readAfter(accepted[9].id, 100)).resolves.toEqual({
        events: [],
        complete: true,
      });
    });

    it('keeps the newest `capacity` events and says when a replay missed some', async () => {
      const history = await (await open(3)).instance();
      const accepted = [];
      for (let n = 0; n < 6; n++) {
        accepted.push(await history.append(draft(n)));
      }
      // Events 0-2 were dropped. After event 2 (the newest dropped) nothing is missing.
      await expect(history.readAfter(accepted[2].id, 100)).resolves.toEqual({
        events: accepted.slice(3),
        complete: true,
      });
      await expect(history.readAfter(accepted[1].id, 100)).resolves.toEqual({
        events: accepted.slice(3),
        complete: false,
      });
      await expect(history.readAfter(BEGINNING, 100)).resolves.toEqual({
        events: accepted.slice(3),
        complete: false,
      });
      await expect(history.readAfter(accepted[4].id, 100)).resolves.toEqual({
        events: accepted.slice(5),
        complete: true,
      });
    });

    it('shares one order and one history between instances of the hub', async () => {
      const fixture = await open(100);
      const a = await fixture.instance();
      const b = await fixture.instance();
      const accepted = [];
      for (let n = 0; n < 10; n++) {
        accepted.push(await (n % 2 === 0 ? a : b).append(draft(n)));
      }
      const acceptedIds = ids(accepted);
      expect([...acceptedIds].sort(byId)).toEqual(acceptedIds);
      await expect(b.headId()).resolves.toBe(acceptedIds[9]);
      // A client that resumes on the other instance with an id it got from the first.
      await expect(b.readAfter(acceptedIds[4], 100)).resolves.toEqual({
        events: accepted.slice(5),
        complete: true,
      });
      await expect(a.readAfter(acceptedIds[5], 100)).resolves.toEqual({
        events: accepted.slice(6),
        complete: true,
      });
    });
  });
}
