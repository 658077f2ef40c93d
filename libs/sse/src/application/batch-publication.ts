import {
  InvalidIdempotencyKeyError,
  InvalidTargetError,
  parseClientId,
  parseTopic,
  toClient,
  toEveryone,
  toTopic,
  type EventTarget,
} from '../domain/index.js';

/**
 * One publication of a batch: where it goes, the event, and optionally the publisher's
 * idempotency key for it.
 * @publicApi
 */
export interface BatchPublication {
  readonly target:
    { readonly client: string } | { readonly topic: string } | { readonly broadcast: true };
  readonly event: string;
  readonly data?: unknown;
  readonly idempotencyKey?: string;
}

/**
 * What became of one publication of a batch: its receipt, or the error that refused it alone
 * (the others went on).
 * @publicApi
 */
export type BatchOutcome<Receipt> = Receipt | { readonly error: Error };

/**
 * The target a publication names, from whatever a caller sent: exactly one of `client`, `topic`
 * or `broadcast: true`.
 * @throws InvalidTargetError, InvalidClientIdError, InvalidTopicError
 */
export function targetOf(raw: unknown): EventTarget {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidTargetError('an object with client, topic or broadcast');
  }
  const keys = Object.keys(raw);
  const target = raw as Record<string, unknown>;
  if (keys.length !== 1) {
    throw new InvalidTargetError('exactly one of client, topic or broadcast');
  }
  if ('client' in target) return toClient(parseClientId(target.client));
  if ('topic' in target) return toTopic(parseTopic(target.topic));
  if (target.broadcast === true) return toEveryone();
  throw new InvalidTargetError('exactly one of client, topic or broadcast: true');
}

/** @throws InvalidIdempotencyKeyError when a key is given but not a string */
export function idempotencyKeyOf(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string')
    throw new InvalidIdempotencyKeyError('an idempotency key is a string');
  return raw;
}
