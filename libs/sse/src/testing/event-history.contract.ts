import { afterEach, describe, expect, it } from '@jest/globals';
import {
  BEGINNING,
  compareEventIds,
  isEventId,
  parseClientId,
  parseIdempotencyKey,
  parseEventType,
  parseTopic,
  toClient,
  toEveryone,
  toTopic,
  type EventDraft,
  type EventHistory,
  type EventId,
} from '../domain/index.js';
import { eventually, type HubFixture } from './hub-fixture.js';

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

/** Resolves once the clock reads a later millisecond than the id's. */
async function untilClockPasses(id: EventId): Promise<void> {
  const ms = Number(id.split('-')[0]);
  const deadline = Date.now() + 1_000;
  while (Date.now() <= ms && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

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

    it('starts empty: its head marks where it began, and a replay from there is complete', async () => {
      const history = await (await open()).instance();
      const head = await history.headId();
      expect(isEventId(head)).toBe(true);
      await expect(history.headId()).resolves.toBe(head);
      await expect(history.readAfter(head, 10)).resolves.toEqual({ events: [], complete: true });
      const first = await history.append(draft(1));
      expect(compareEventIds(first.id, head)).toBeGreaterThan(0);
      await expect(history.readAfter(head, 10)).resolves.toEqual({ events: [first], complete: true });
    });

    it('cannot vouch for what came before it began: a replay from BEGINNING is incomplete', async () => {
      const history = await (await open()).instance();
      await expect(history.readAfter(BEGINNING, 10)).resolves.toEqual({ events: [], complete: false });
      const first = await history.append(draft(1));
      await expect(history.readAfter(BEGINNING, 10)).resolves.toEqual({ events: [first], complete: false });
    });

    it('says a replay from an id of an earlier life (a restart that lost history) is incomplete, and gives what it has', async () => {
      const earlier = await createHub({ capacity: 10 });
      let before: EventId;
      try {
        before = (await (await earlier.instance()).append(draft(0))).id;
      } finally {
        await earlier.close();
      }
      // A restart takes longer than a millisecond; the next life's clock is past the last id.
      await untilClockPasses(before);
      const history = await (await open()).instance();
      await history.headId();
      await expect(history.readAfter(before, 10)).resolves.toEqual({ events: [], complete: false });
      const first = await history.append(draft(1));
      await expect(history.readAfter(before, 10)).resolves.toEqual({ events: [first], complete: false });
    });

    it('says a replay from an id past its newest event is incomplete, and gives nothing', async () => {
      const history = await (await open()).instance();
      const newest = await history.append(draft(1));
      const ahead = `${Number(newest.id.split('-')[0]) + 3_600_000}-0`;
      await expect(history.readAfter(ahead, 10)).resolves.toEqual({ events: [], complete: false });
      const sameMillisecond = `${newest.id.split('-')[0]}-${Number(newest.id.split('-')[1]) + 1}`;
      await expect(history.readAfter(sameMillisecond, 10)).resolves.toEqual({ events: [], complete: false });
      await expect(history.readAfter(newest.id, 10)).resolves.toEqual({ events: [], complete: true });
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
  
    describe('appendOnce (idempotency keys), when the adapter has it', () => {
      const key = (name: string) => parseIdempotencyKey(`contract-${name}-${Math.random().toString(36).slice(2)}`);
      const onceOf = (history: EventHistory) => {
        if (!history.appendOnce) throw new Error('no appendOnce');
        return history.appendOnce.bind(history);
      };

      it('appends the first publish of a key and answers a repeat with its id, on any instance, appending nothing', async () => {
        const fixture = await open();
        const a = await fixture.instance();
        if (!a.appendOnce) return;
        const b = await fixture.instance();
        const k = key('repeat');
        const first = await onceOf(a)(draft(1), k, 60_000);
        expect('appended' in first).toBe(true);
        const id = 'appended' in first ? first.appended.id : '';
        await expect(onceOf(a)(draft(2), k, 60_000)).resolves.toEqual({ repeatOf: id });
        await expect(onceOf(b)(draft(3), k, 60_000)).resolves.toEqual({ repeatOf: id });
        await expect(b.headId()).resolves.toBe(id);
        const other = await onceOf(b)(draft(4), key('other'), 60_000);
        expect('appended' in other && compareEventIds(other.appended.id, id) > 0).toBe(true);
      });

      it('appends exactly once when the same key arrives on several instances at the same moment', async () => {
        const fixture = await open();
        const a = await fixture.instance();
        if (!a.appendOnce) return;
        const b = await fixture.instance();
        const k = key('race');
        const results = await Promise.all([a, b, a, b, a, b].map((history, n) => onceOf(history)(draft(n), k, 60_000)));
        const appended = results.filter((result) => 'appended' in result);
        expect(appended).toHaveLength(1);
        const id = 'appended' in appended[0] ? appended[0].appended.id : '';
        for (const result of results) {
          expect('appended' in result ? result.appended.id : result.repeatOf).toBe(id);
        }
        const page = await a.readAfter(BEGINNING, 100);
        expect(ids(page.events)).toEqual([id]);
      });

      it('gives appends started in one turn ids in the order they were started, keyed or not, and a key repeated within them appends once', async () => {
        const fixture = await open();
        const history = await fixture.instance();
        if (!history.appendOnce) return;
        const k = key('turn');
        const outcomes = await Promise.all(
          Array.from({ length: 12 }, (_, n): Promise<EventId> =>
            n % 3 === 0
              ? onceOf(history)(draft(n), k, 60_000).then((once) => ('appended' in once ? once.appended.id : once.repeatOf))
              : history.append(draft(n)).then((event) => event.id),
          ),
        );
        const [first, ...rest] = outcomes.filter((_, n) => n % 3 === 0);
        expect(rest).toEqual([first, first, first]);
        const distinct = outcomes.filter((id, n) => n === 0 || id !== first);
        expect(distinct).toEqual([...distinct].sort(byId));
        const page = await history.readAfter(BEGINNING, 100);
        expect(ids(page.events)).toEqual(distinct);
      });

      it('forgets a key once its window has passed', async () => {
        const fixture = await open();
        const history = await fixture.instance();
        if (!history.appendOnce) return;
        const k = key('window');
        const first = await onceOf(history)(draft(1), k, 50);
        expect('appended' in first).toBe(true);
        // The window is a span of time: waiting it out is the behaviour under test.
        const again = await eventually(async () => {
          const result = await onceOf(history)(draft(2), k, 50);
          return 'appended' in result && result;
        }, 'the key to be forgotten', 3_000, 20);
        expect('appended' in first && compareEventIds(again.appended.id, first.appended.id) > 0).toBe(true);
      });
    });
});
}
