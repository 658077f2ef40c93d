import { isEventId, type EventId } from '../../domain/index.js';
import { SEQ_PER_MS } from './postgres-schema.js';

/**
 * Event ids (`<ms>-<seq>`) and their bigint form in the tables (`ms * 1e6 + seq`), which sorts
 * the same way. Ids the hub issued always have `seq < 1e6` and convert back exactly; an id a
 * client made up (a larger seq, a far-future ms) maps to a bigint that compares with every
 * stored id as the id compares with the stored id's `<ms>-<seq>`.
 * @internal
 */
const MAX_BIGINT = (1n << 63n) - 1n;

/** The bigint (as the decimal string pg takes) of an event id. */
export function toStoredId(id: EventId): string {
  if (!isEventId(id)) {
    throw new TypeError(`sse-hub: "${id}" is not an event id`);
  }
  const dash = id.indexOf('-');
  const ms = BigInt(id.slice(0, dash));
  const seq = BigInt(id.slice(dash + 1));
  // A seq past the range sorts after every stored id of its millisecond, before the next one's.
  const stored = ms * SEQ_PER_MS + (seq < SEQ_PER_MS ? seq : SEQ_PER_MS - 1n);
  return (stored > MAX_BIGINT ? MAX_BIGINT : stored).toString();
}

/** The event id of a stored bigint (pg hands bigints over as strings). */
export function fromStoredId(stored: string | number | bigint): EventId {
  const value = BigInt(stored);
  return `${value / SEQ_PER_MS}-${value % SEQ_PER_MS}`;
}

/** Like `fromStoredId`, for a column that may be NULL. */
export function optionalStoredId(stored: string | null | undefined): EventId | undefined {
  return stored === null || stored === undefined ? undefined : fromStoredId(stored);
}
