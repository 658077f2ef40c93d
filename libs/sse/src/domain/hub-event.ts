import type { EventId } from './event-id.js';
import type { EventTarget } from './event-target.js';
import type { EventType } from './event-type.js';

/** An event before the hub accepted it: it has no place in the order yet. */
export interface EventDraft {
  readonly type: EventType;
  /** Any JSON value. */
  readonly data: unknown;
  readonly target: EventTarget;
  /**
   * The publish's trace context (W3C `traceparent`/`tracestate`), carried with the event as
   * opaque text so an instance that delivers it can link its fan-out to the publish. Absent when
   * nobody traces, which is the common case and costs nothing.
   */
  readonly traceContext?: TraceContext;
}

/** Propagation fields of a trace, by name (`traceparent`, `tracestate`). */
export type TraceContext = Readonly<Record<string, string>>;

/** An accepted event: its id fixes its place in the hub-wide order. */
export interface HubEvent extends EventDraft {
  readonly id: EventId;
}
