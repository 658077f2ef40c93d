import {
  isEventId,
  parseClientId,
  parseEventType,
  parseTopic,
  toClient,
  toEveryone,
  toTopic,
  type EventDraft,
  type EventId,
  type EventTarget,
  type HubEvent,
  type Subscription,
  type SubscriptionChange,
  type TraceContext,
} from '../../domain/index.js';

/**
 * How events, subscription changes and topic hashes are stored in Redis, and how what comes
 * back is checked. Redis hands back whatever a key holds: another version of the hub, a person
 * with redis-cli or a bug may have put something else there, so every reply is checked at run
 * time before it becomes a domain value. A bad reply throws `RedisReplyError`.
 * @internal
 */

/** One entry of a stream: its id and its field/value pairs. */
export interface StreamEntry {
  readonly id: EventId;
  readonly fields: ReadonlyMap<string, string>;
}

/** A reply that is not what the hub stores. */
export class RedisReplyError extends TypeError {
  constructor(what: string) {
    super(`sse-hub: unexpected reply from Redis: ${what}`);
    this.name = 'RedisReplyError';
  }
}

/**
 * The stream fields of an event: type, target and data (JSON, so strings stay strings), and its
 * trace context (JSON, or empty when the publish was not traced: then no field is stored).
 */
export function encodeEvent(
  draft: EventDraft,
): [type: string, target: string, data: string, traceContext: string] {
  const traceContext = draft.traceContext ? JSON.stringify(draft.traceContext) : '';
  return [
    draft.type,
    JSON.stringify(draft.target),
    JSON.stringify(draft.data ?? null),
    traceContext,
  ];
}

export function decodeEvent({ id, fields }: StreamEntry): HubEvent {
  const type = parseEventType(field(fields, 'type'));
  const target = decodeTarget(parseJson(field(fields, 'target')));
  const data: unknown = parseJson(field(fields, 'data'));
  const stored = fields.get('trace');
  const traceContext = stored === undefined ? undefined : decodeTraceContext(stored);
  return traceContext ? { id, type, target, data, traceContext } : { id, type, target, data };
}

/**
 * A stored trace context: an object of string fields, or nothing. Tracing is best effort, so a
 * field that is not what the hub stores drops the link instead of the event.
 */
function decodeTraceContext(stored: string): TraceContext | undefined {
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return undefined;
  }
  const fields: Record<string, string> = {};
  for (const [name, text] of Object.entries(value)) {
    if (typeof text === 'string') fields[name] = text;
  }
  return fields;
}

export function decodeChange({ id, fields }: StreamEntry): SubscriptionChange {
  const clientId = parseClientId(field(fields, 'client'));
  const data = parseJson(field(fields, 'data'));
  const kind = field(fields, 'kind');
  switch (kind) {
    case 'added':
      return {
        kind,
        clientId,
        subscriptions: arrayOf(data, 'added').map(decodeSubscriptionPair),
        changeId: id,
      };
    case 'removed':
      return {
        kind,
        clientId,
        topics: arrayOf(data, 'removed').map((topic) => parseTopic(topic)),
        changeId: id,
      };
    case 'expired':
      return {
        kind,
        clientId,
        expiryId: id,
        topics: arrayOf(data, 'expired').map((topic) => parseTopic(topic)),
      };
    default:
      throw new RedisReplyError(`unknown subscription change "${kind}"`);
  }
}

/** An XRANGE/XREVRANGE reply: `[[id, [field, value, ...]], ...]`. */
export function decodeEntries(reply: unknown): StreamEntry[] {
  return arrayOf(reply, 'stream entries').map((entry) => {
    const [id, pairs] = arrayOf(entry, 'stream entry');
    if (!isEventId(id)) {
      throw new RedisReplyError('a stream entry id is not an event id');
    }
    const flat = arrayOf(pairs, 'stream entry fields');
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) {
      fields.set(stringOf(flat[i], 'a field name'), stringOf(flat[i + 1], 'a field value'));
    }
    return { id, fields };
  });
}

/**
 * An XREAD reply over several streams: null when nothing arrived, else `[[key, entries], ...]`
 * (RESP2), or `[key, entries, key, entries]` (a RESP3 map as ioredis flattens it for a raw
 * `call`). Returns the entries per key; keys without entries are absent.
 */
export function decodeStreamsRead(reply: unknown): Map<string, StreamEntry[]> {
  const byKey = new Map<string, StreamEntry[]>();
  if (reply === null) {
    return byKey;
  }
  const streams = arrayOf(reply, 'XREAD reply');
  const flat = typeof streams[0] === 'string';
  for (let i = 0; i < streams.length; i += flat ? 2 : 1) {
    const [key, entries] = flat
      ? [streams[i], streams[i + 1]]
      : arrayOf(streams[i], 'XREAD stream');
    byKey.set(stringOf(key, 'a stream key'), decodeEntries(entries));
  }
  return byKey;
}

/** An HGETALL reply of a client's topics hash: `[topic, since, topic, since, ...]`. */
export function decodeSubscriptions(reply: unknown): Subscription[] {
  const flat = arrayOf(reply, 'subscriptions');
  const subscriptions: Subscription[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    subscriptions.push(decodeSubscriptionPair([flat[i], flat[i + 1]]));
  }
  return subscriptions;
}

/** A reply that must be an event id (or one of the empty markers scripts use for "none"). */
export function optionalEventId(reply: unknown, what: string): EventId | undefined {
  if (reply === null || reply === '') {
    return undefined;
  }
  if (!isEventId(reply)) {
    throw new RedisReplyError(`${what} is not an event id`);
  }
  return reply;
}

export function arrayOf(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new RedisReplyError(`${what} is not a list`);
  }
  return value;
}

export function stringOf(value: unknown, what: string): string {
  if (typeof value !== 'string') {
    throw new RedisReplyError(`${what} is not a string`);
  }
  return value;
}

function decodeSubscriptionPair(pair: unknown): Subscription {
  const [topic, since] = arrayOf(pair, 'a subscription');
  if (!isEventId(since)) {
    throw new RedisReplyError('a subscription has no valid since id');
  }
  return { topic: parseTopic(topic), since };
}

function decodeTarget(value: unknown): EventTarget {
  if (typeof value !== 'object' || value === null) {
    throw new RedisReplyError('an event target is not an object');
  }
  const target = value as Record<string, unknown>;
  switch (target.kind) {
    case 'client':
      return toClient(parseClientId(target.clientId));
    case 'topic':
      return toTopic(parseTopic(target.topic));
    case 'broadcast':
      return toEveryone();
    default:
      throw new RedisReplyError('an event target has an unknown kind');
  }
}

function field(fields: ReadonlyMap<string, string>, name: string): string {
  const value = fields.get(name);
  if (value === undefined) {
    throw new RedisReplyError(`a stream entry has no "${name}" field`);
  }
  return value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RedisReplyError('a stream field is not JSON');
  }
}
