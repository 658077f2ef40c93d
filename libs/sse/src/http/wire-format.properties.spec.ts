import fc from 'fast-check';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { toStreamMessage } from '../application/stream-message.js';
import { encodeFrame } from './sse-frame-encoder.js';
import { InvalidEventDataError } from '../domain/errors/invalid-event-data.error.js';
import { InvalidEventTypeError } from '../domain/errors/invalid-event-type.error.js';
import { encodeEventData } from '../domain/event-data.js';
import { compareEventIds, nextEventId } from '../domain/event-id.js';
import { parseEventType } from '../domain/event-type.js';
import type { HubEvent } from '../domain/hub-event.js';
import { matchesTopicPattern } from '../domain/topic-pattern.js';
import { parseTopic } from '../domain/topic.js';

/** Everything a spec-compliant parser makes of a stream of frames. */
function parseStream(text: string) {
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e), onComment: (c) => comments.push(c) });
  parser.feed(text);
  return { events, comments };
}

const tricky = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('\r', '\n', '\r\n', '\u0000', '\ud800', '\udc00', '😀', 'é', ':', ' ', 'data: x', 'id: 9') }),
  fc.constant('x'.repeat(64 * 1024)),
);
const anyData = fc.oneof(tricky, fc.jsonValue(), fc.dictionary(tricky, tricky), fc.array(tricky));

/** Publishes through the real path: data rules, type rules, the once-per-event encodings. */
function publishAndParse(id: string, type: string, data: unknown) {
  const event: HubEvent = { id, type: parseEventType(type), data, target: { kind: 'broadcast' } };
  const message = toStreamMessage(event, encodeEventData(data));
  return parseStream(encodeFrame(message));
}

describe('wire format properties', () => {
  it('carries any accepted data as one event: JSON byte-exact, strings line by line, refusing only unpaired surrogates', () => {
    fc.assert(
      fc.property(anyData, (data) => {
        let parsed;
        try {
          parsed = publishAndParse('5-1', 'message.sent', data);
        } catch (error) {
          // Only a string SSE would corrupt may be refused (U+FFFD); JSON can carry everything.
          expect(error).toBeInstanceOf(InvalidEventDataError);
          expect(typeof data).toBe('string');
          expect((data as string).isWellFormed()).toBe(false);
          return;
        }
        expect(parsed.events).toHaveLength(1);
        expect(parsed.comments).toHaveLength(0);
        const [event] = parsed.events;
        expect(event.id).toBe('5-1');
        expect(event.event).toBe('message.sent');
        if (typeof data === 'string') {
          // Every line arrives as it was; \r\n, \r and \n all end a line, read back as \n.
          expect(event.data).toBe(data.replace(/\r\n|\r/g, '\n'));
        } else {
          expect(JSON.parse(event.data)).toEqual(JSON.parse(JSON.stringify(data)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('accepts an event type only if it comes back unchanged, with no extra field', () => {
    fc.assert(
      fc.property(tricky, (type) => {
        let parsed;
        try {
          parsed = publishAndParse('1-0', type, 'x');
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidEventTypeError);
          return;
        }
        expect(parsed.events).toEqual([{ id: '1-0', event: type, data: 'x' }]);
      }),
      { numRuns: 300 },
    );
  });

  it('hands out ids that compare in the order they were handed out, whatever the clock does', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 42 }), { minLength: 1, maxLength: 200 }), (clock) => {
        let last = '0-0';
        for (const now of clock) {
          const next = nextEventId(last, now);
          expect(compareEventIds(last, next)).toBeLessThan(0);
          expect(compareEventIds(next, last)).toBeGreaterThan(0);
          expect(compareEventIds(next, next)).toBe(0);
          last = next;
        }
      }),
    );
  });

  it('matches topic patterns exactly as their rules say', () => {
    const segment = fc.constantFrom('a', 'b', 'c', 'dev-1');
    const topic = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));
    const pattern = fc
      .tuple(fc.array(fc.oneof(segment, fc.constant('*')), { minLength: 0, maxLength: 5 }), fc.boolean())
      .filter(([segments, hash]) => segments.length > 0 || hash)
      .map(([segments, hash]) => [...segments, ...(hash ? ['#'] : [])].join('/'));
    // The rules, written as a regular expression: `*` is one segment, a trailing `#` the rest.
    const reference = (p: string, t: string) => {
      const parts = p.split('/');
      const hash = parts.at(-1) === '#';
      const body = (hash ? parts.slice(0, -1) : parts).map((s) => (s === '*' ? '[^/]+' : s.replace(/[-]/g, '\\-')));
      const source = hash ? (body.length ? `${body.join('/')}(/.*)?` : '.*') : body.join('/');
      return new RegExp(`^${source}$`).test(t);
    };
    fc.assert(
      fc.property(pattern, topic, (p, t) => {
        expect(matchesTopicPattern(p, parseTopic(t))).toBe(reference(p, t));
      }),
      { numRuns: 2_000 },
    );
  });
});
