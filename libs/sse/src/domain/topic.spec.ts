import { InvalidTopicError } from './errors/invalid-topic.error.js';
import { parseTopic, parseTopics } from './topic.js';

describe('topic names', () => {
  it.each(['a', 'devices/42/readings', 'A-b_c.d:e', 'x'.repeat(128), 'a/b/c/d', 'v1.2/.x/x./...'])('accepts %s', (name) => {
    expect(parseTopic(name)).toBe(name);
  });

  it.each(['', '/a', 'a/', 'a//b', 'a b', 'a/*', 'a/#', 'é', 'a\nb', 'x'.repeat(129), 42, null, undefined, '.', '..', 'users/carol/../bob', 'a/./b', 'a/..', '../a'])(
    'refuses %p with a stable code',
    (name) => {
      expect(() => parseTopic(name)).toThrow(InvalidTopicError);
      try {
        parseTopic(name);
      } catch (error) {
        expect((error as InvalidTopicError).code).toBe('TOPIC.INVALID_NAME');
        expect((error as Error).name).toBe('InvalidTopicError');
        expect((error as Error).message).toMatch(/^sse-hub: /);
      }
    },
  );

  it('drops duplicates and fails the whole list on one bad name', () => {
    expect(parseTopics(['a', 'b', 'a'])).toEqual(['a', 'b']);
    expect(() => parseTopics(['a', 'b c'])).toThrow(InvalidTopicError);
  });
});

describe('dot segments', () => {
  it('names the rule in the message', () => {
    expect(() => parseTopic('users/carol/../bob')).toThrow('invalid topic: a topic has no "." or ".." segment');
  });
});
