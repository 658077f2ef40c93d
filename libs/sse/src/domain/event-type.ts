import { InvalidEventTypeError } from './errors/invalid-event-type.error.js';

/** The SSE `event:` field of a published event. */
export type EventType = string & { readonly __brand: 'EventType' };

export const EVENT_TYPE_MAX_LENGTH = 64;
const EVENT_TYPE_CHARACTERS = /^[A-Za-z0-9_\-.:]+$/;

/**
 * Types the hub sends itself, or that an EventSource treats specially: `error` would fire the
 * client's onerror handler instead of a listener.
 */
export const RESERVED_EVENT_TYPES: ReadonlySet<string> = new Set(['connected', 'error']);

/**
 * Event types are 1-64 characters of letters, digits and `_ - . :`, so they can never carry a
 * newline into the wire format.
 * @throws InvalidEventTypeError
 */
export function parseEventType(raw: unknown): EventType {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > EVENT_TYPE_MAX_LENGTH) {
    throw new InvalidEventTypeError(`an event type has 1-${EVENT_TYPE_MAX_LENGTH} characters`);
  }
  if (!EVENT_TYPE_CHARACTERS.test(raw)) {
    throw new InvalidEventTypeError('an event type uses only letters, digits and _ - . :');
  }
  if (RESERVED_EVENT_TYPES.has(raw)) {
    throw new InvalidEventTypeError(`"${raw}" is reserved by the hub`);
  }
  return raw as EventType;
}
