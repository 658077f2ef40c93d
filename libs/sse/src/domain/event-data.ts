import { InvalidEventDataError } from './errors/invalid-event-data.error.js';

/**
 * The frame text of an event's data: strings as they are, every other value as JSON. JSON
 * arrives exactly as published (it escapes every character SSE could not carry). A string
 * arrives line by line: `\r\n`, `\r` and `\n` each end a line (one `data:` line each, as the
 * SSE parser reads them anyway), and a client reads the lines joined by `\n`, which is what a
 * `<textarea>`'s `\r\n` means. A string with an unpaired surrogate is refused, since SSE would
 * turn it into U+FFFD.
 * @throws InvalidEventDataError
 */
export function encodeEventData(data: unknown): string {
  if (typeof data === 'string') {
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
