import { InvalidIdempotencyKeyError } from './errors/index.js';

/** A publisher's name for one publish, so that a retry of it is recognised. */
export type IdempotencyKey = string & { readonly __brand: 'IdempotencyKey' };

/** 1-512 visible ASCII characters (an `Idempotency-Key` header is at most 255 of them; the REST routes prefix it with the publisher). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,512}$/;

/** @throws InvalidIdempotencyKeyError */
export function parseIdempotencyKey(value: unknown): IdempotencyKey {
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY.test(value)) {
    throw new InvalidIdempotencyKeyError('1-512 visible ASCII characters, without spaces');
  }
  return value as IdempotencyKey;
}
