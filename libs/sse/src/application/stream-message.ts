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


