import { InvalidEventDataError } from './errors/invalid-event-data.error.js';

/**
 * The frame text of an event's data: strings as they are, every other value as JSON. What a
 * client reads back is exactly what was published: JSON escapes every character SSE could not
 * carry, and a string that holds one is refused, since SSE would change it on the way (a CR
 * arrives as a line break, an unpaired surrogate as U+FFFD).
 * @throws InvalidEventDataError
 */
export function encodeEventData(data: unknown): string {
  if (typeof data === 'string') {
    if (data.includes('\r')) {
      throw new InvalidEventDataError(
        'string data cannot hold a carriage return (SSE turns it into a line break); send it inside JSON',
      );
    }
    if (!data.isWellFormed()) {
      throw new InvalidEventDataError('string data cannot hold an unpaired surrogate; send it inside JSON');
    }
    return data;
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    throw new InvalidEventDataError(`it cannot become JSON (${(error as Error).message})`);
  }
  if (json === undefined) {
    throw new InvalidEventDataError('it cannot become JSON');
  }
  return json;
}
