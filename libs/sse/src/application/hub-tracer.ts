import type { EventTargetKind, HubEvent, TraceContext } from '../domain/index.js';

/** What a publish span records about the event. */
export interface PublishTraceInfo {
  readonly target: EventTargetKind;
  readonly type: string;
}

/** What a publish returns, as far as its span is concerned. */
export interface TracedReceipt {
  readonly id: string;
  readonly delivered: number;
}

/**
 * Traces an event's path through the hub: its publish, and each instance's fan-out of it. A port
 * of the application layer, like `HubObserver`: the module binds it to the OpenTelemetry
 * implementation; unbound, nothing is traced. Both methods run once per event (never per
 * connection) and must cost next to nothing when nobody traces.
 */
export interface HubTracer {
  /**
   * Runs `publish` as one traced publish. `publish` gets the trace context to store with the
   * event (undefined when nobody traces).
   */
  publish<R extends TracedReceipt>(
    info: PublishTraceInfo,
    publish: (trace: TraceContext | undefined) => Promise<R>,
  ): Promise<R>;
  /** Runs this instance's fan-out of `event`; `deliver` returns how many streams took it. */
  fanout(event: HubEvent, deliver: () => number): number;
}

export const HubTracer = Symbol('HubTracer');

/** The tracer used when none is bound. */
export const NO_HUB_TRACER: HubTracer = Object.freeze({
  publish: <R extends TracedReceipt>(
    _info: PublishTraceInfo,
    publish: (trace: TraceContext | undefined) => Promise<R>,
  ): Promise<R> => publish(undefined),
  fanout: (_event: HubEvent, deliver: () => number): number => deliver(),
});
