import { encodeEventData, type HubEvent } from '../domain/index.js';

/**
 * One frame of a stream, shaped as Nest's `MessageEvent` so `@Sse()` writes it. `data` is always
 * a string here: it is encoded once per event, not once per connection.
 */
export interface StreamMessage {
  readonly data?: string;
  readonly id?: string;
  readonly type?: string;
  readonly retry?: number;
  readonly comment?: string;
}

export const HEARTBEAT_MESSAGE: StreamMessage = Object.freeze({ comment: '' });

/** What a frame adds around its fields (`event: `, `id: `, `data: `, line ends). */
const FRAME_OVERHEAD = 24;

/**
 * What a frame weighs while it waits for a socket: the length of its text, which is its size in
 * bytes for ASCII. A frame shared by every connection of a broadcast weighs this much in each
 * connection's queue, since each would keep it alive on its own. Three length reads: this runs
 * per frame and connection.
 */
export function frameWeight(message: StreamMessage): number {
  return (message.data?.length ?? 0) + (message.id?.length ?? 0) + (message.type?.length ?? 0) + FRAME_OVERHEAD;
}

/**
 * The frame of a replayed event, made for one connection and forgotten once written: events in
 * history are many and mostly never replayed, so their encodings are not kept beside them.
 */
export function toReplayMessage(event: HubEvent): StreamMessage {
  return encoded.get(event) ?? { id: event.id, type: event.type, data: encodeEventData(event.data) };
}

const encoded = new WeakMap<HubEvent, StreamMessage>();

/**
 * The frame of an event, built once and shared by every connection that receives it. Strings go
 * out as they are; every other value as JSON.
 */
export function toStreamMessage(event: HubEvent, data?: string): StreamMessage {
  let message = encoded.get(event);
  if (!message) {
    message = Object.freeze({ id: event.id, type: event.type, data: data ?? encodeEventData(event.data) });
    encoded.set(event, message);
  }
  return message;
}


