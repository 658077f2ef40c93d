import { isDotSegment, type Topic } from './topic.js';

/**
 * Matches a topic against a pattern from a token's `topics` claim. Patterns are compared segment
 * by segment (segments are separated by `/`): `*` matches exactly one segment, and `#` as the last
 * segment matches whatever is left, including nothing (as in MQTT, `news/#` matches `news` too).
 * Any other segment matches only itself. A topic with a `.` or `..` segment matches nothing.
 */
export function matchesTopicPattern(pattern: string, topic: Topic): boolean {
  const wanted = pattern.split('/');
  const actual = topic.split('/');
  if (actual.some(isDotSegment)) {
    // Never a valid topic (see parseTopic); one that got in some other way (a registry written
    // before the rule) matches no pattern, so `users/carol/#` never grants `users/carol/../bob`.
    return false;
  }
  for (let i = 0; i < wanted.length; i++) {
    const segment = wanted[i];
    if (segment === '#' && i === wanted.length - 1) {
      return true;
    }
    if (i >= actual.length || (segment !== '*' && segment !== actual[i])) {
      return false;
    }
  }
  return wanted.length === actual.length;
}

/** Without a claim every topic is allowed; with one, the topic must match one of its patterns. */
export function isTopicAllowed(patterns: readonly string[] | undefined, topic: Topic): boolean {
  return patterns === undefined || patterns.some((pattern) => matchesTopicPattern(pattern, topic));
}
