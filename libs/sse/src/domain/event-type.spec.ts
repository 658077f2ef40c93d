import { parseClientId } from './client-id.js';
import { InvalidClientIdError } from './errors/invalid-client-id.error.js';
import { InvalidEventTypeError } from './errors/invalid-event-type.error.js';
import { parseEventType } from './event-type.js';

describe('event types and client ids', () => {
  it.each(['x', 'order.created', 'job:progress', 'a_b-c', 'e'.repeat(64)])('accepts event type %s', (type) => {
    expect(parseEventType(type)).toBe(type);
  });

  it.each(['', 'a b', 'a\nb', 'a\rb', 'e'.repeat(65), 'connected', 'error', 5])('refuses event type %p', (type) => {
    expect(() => parseEventType(type)).toThrow(InvalidEventTypeError);
  });

  it('accepts any printable client id up to 256 characters and nothing else', () => {
    expect(parseClientId('user@example.com')).toBe('user@example.com');
    for (const bad of ['', 'a\nb', 'x'.repeat(257), 7, undefined]) {
      expect(() => parseClientId(bad)).toThrow(InvalidClientIdError);
    }
  });
});
