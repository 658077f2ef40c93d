import { InvalidTopicError } from './errors/invalid-topic.error.js';

/** A topic name that passed the rules below. */
export type Topic = string & { readonly __brand: 'Topic' };

export const TOPIC_MAX_LENGTH = 128;
const TOPIC_CHARACTERS = /^[A-Za-z0-9_\-.:/]+$/;

/**
 * Topic names are 1-128 characters of letters, digits and `_ - . : /`, with no empty segment
 * between slashes and no `.` or `..` segment. Wildcards are not topic characters: they only appear in a token's patterns.
 * @throws InvalidTopicError
 */
export function parseTopic(raw: unknown): Topic {
  if (typeof raw !== 'string' || raw.length === 0) {
    throw new InvalidTopicError('a topic is a non-empty string');
  }
  if (raw.length > TOPIC_MAX_LENGTH) {
    throw new InvalidTopicError(`a topic has at most ${TOPIC_MAX_LENGTH} characters`);
  }
  if (!TOPIC_CHARACTERS.test(raw)) {
    throw new InvalidTopicError('a topic uses only letters, digits and _ - . : /');
  }
  const segments = raw.split('/');
  if (segments.includes('')) {
    throw new InvalidTopicError('a topic has no empty segment');
  }
  if (segments.some(isDotSegment)) {
    throw new InvalidTopicError('a topic has no "." or ".." segment');
  }
  return raw as Topic;
}

/**
 * `.` and `..` are refused as segments: `users/carol/../bob` matches the pattern `users/carol/#`
 * segment by segment, yet names `users/bob` to anything that normalises paths (a URL, a proxy,
 * a file store). Dots inside a segment (`v1.2`, `...`) are fine.
 */
export function isDotSegment(segment: string): boolean {
  return segment === '.' || segment === '..';
}

/** Parses a list, dropping duplicates while keeping the first-seen order. */
export function parseTopics(raw: readonly unknown[]): Topic[] {
  return [...new Set(raw.map(parseTopic))];
}
