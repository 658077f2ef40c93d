import { InvalidTopicError } from './errors/invalid-topic.error.js';

/** A topic name that passed the rules below. */
export type Topic = string & { readonly __brand: 'Topic' };

export const TOPIC_MAX_LENGTH = 128;
const TOPIC_CHARACTERS = /^[A-Za-z0-9_\-.:/]+$/;

/**
 * Topic names are 1-128 characters of letters, digits and `_ - . : /`, with no empty segment
 * between slashes. Wildcards are not topic characters: they only appear in a token's patterns.
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
  if (raw.split('/').includes('')) {
    throw new InvalidTopicError('a topic has no empty segment');
  }
  return raw as Topic;
}

/** Parses a list, dropping duplicates while keeping the first-seen order. */
export function parseTopics(raw: readonly unknown[]): Topic[] {
  return [...new Set(raw.map(parseTopic))];
}
