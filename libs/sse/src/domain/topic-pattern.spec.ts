import { isTopicAllowed, matchesTopicPattern } from './topic-pattern.js';
import { parseTopic, type Topic } from './topic.js';

const matches = (pattern: string, topic: string) => matchesTopicPattern(pattern, parseTopic(topic));

describe('topic patterns', () => {
  it.each([
    ['news', 'news', true],
    ['news', 'news/x', false],
    ['news/*', 'news/x', true],
    ['news/*', 'news', false],
    ['news/*', 'news/x/y', false],
    ['*/readings', 'dev1/readings', true],
    ['devices/*/readings', 'devices/7/readings', true],
    ['devices/*/readings', 'devices/7/config', false],
    ['news/#', 'news', true],
    ['news/#', 'news/a/b/c', true],
    ['news/#', 'newsroom', false],
    ['#', 'anything/at/all', true],
    ['news*', 'newsroom', false],
    ['a/#/b', 'a/x/b', false],
  ])('%s matches %s: %s', (pattern, topic, expected) => {
    expect(matches(pattern, topic)).toBe(expected);
  });

  it.each(['users/carol/#', 'users/carol/*/bob', 'users/*/*/*', '#', 'users/carol/../bob'])(
    'never matches a topic with a dot segment with %s, even one that bypassed the name rules',
    (pattern) => {
      for (const topic of ['users/carol/../bob', 'users/carol/./bob', 'users/carol/..']) {
        expect(matchesTopicPattern(pattern, topic as Topic)).toBe(false);
      }
    },
  );

  it('allows every topic without a claim, and only matching ones with it', () => {
    expect(isTopicAllowed(undefined, parseTopic('x'))).toBe(true);
    expect(isTopicAllowed([], parseTopic('x'))).toBe(false);
    expect(isTopicAllowed(['y', 'x/#'], parseTopic('x/1'))).toBe(true);
  });
});
