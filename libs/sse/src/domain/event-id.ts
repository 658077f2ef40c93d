/**
 * Event ids have the shape `<milliseconds>-<sequence>`, the shape of Redis stream ids, so every
 * adapter can hand out ids that compare the same way: first by time, then by sequence. Clients see
 * them as opaque strings; only the hub compares them.
 */
export type EventId = string;

/** The id before every event: a resume point that means "from the start of history". */
export const BEGINNING: EventId = '0-0';

const EVENT_ID = /^(\d{1,15})-(\d{1,15})$/;

interface ParsedEventId {
  readonly ms: number;
  readonly seq: number;
}

function parse(id: EventId): ParsedEventId | undefined {
  const match = EVENT_ID.exec(id);
  return match ? { ms: Number(match[1]), seq: Number(match[2]) } : undefined;
}

export function isEventId(value: unknown): value is EventId {
  return typeof value === 'string' && parse(value) !== undefined;
}

/**
 * Negative when `a` came first, positive when `b` did, 0 when equal. Both must be valid ids
 * (checked with `isEventId` where they enter the hub): this runs per event and connection, so it
 * splits on the dash instead of matching the full pattern.
 */
export function compareEventIds(a: EventId, b: EventId): number {
  if (a === b) {
    return 0;
  }
  const dashA = a.indexOf('-');
  const dashB = b.indexOf('-');
  if (dashA < 1 || dashB < 1) {
    throw new TypeError(`sse-hub: cannot compare event ids "${a}" and "${b}"`);
  }
  return (
    Number(a.slice(0, dashA)) - Number(b.slice(0, dashB)) ||
    Number(a.slice(dashA + 1)) - Number(b.slice(dashB + 1))
  );
}

/**
 * The id that follows `last` at time `nowMs`: the clock's millisecond when it moved on, else the
 * same millisecond with the next sequence number, so ids keep increasing even if the clock
 * steps back.
 */
export function nextEventId(last: EventId, nowMs: number): EventId {
  // Runs per publish, on an id this hub issued: split at the dash rather than match the pattern.
  const dash = last.indexOf('-');
  const ms = dash > 0 ? Number(last.slice(0, dash)) : 0;
  const seq = dash > 0 ? Number(last.slice(dash + 1)) : 0;
  return nowMs > ms ? `${nowMs}-0` : `${ms}-${seq + 1}`;
}
