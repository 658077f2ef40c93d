import type { EventTargetKind } from '../domain/index.js';
import type { CloseReason } from './hub-lifecycle-events.js';

/** How a resume with Last-Event-ID went: every later event replayed, or history fell short. */
export type ReplayOutcome = 'recovered' | 'incomplete';

/**
 * What the application layer reports as it works, for whoever counts it (the metrics service).
 * It is a port of the application layer so that application/ never imports observability/:
 * the module binds it to `SseMetricsService`; without a binding nothing is reported.
 * Every method is called on the hot path: implementations must be cheap and must not throw.
 */
export interface HubObserver {
  /** A stream opened on this instance (before its replay). */
  connectionOpened(): void;
  /** A stream of this instance ended, and why. */
  connectionClosed(reason: CloseReason): void;
  /**
   * An event published through this instance was accepted and this instance's fan-out has
   * written it to its local streams, `seconds` after the publish call began.
   */
  eventPublished(target: EventTargetKind, seconds: number): void;
  /** This instance's fan-out handed a live event to `connections` local streams. */
  eventDelivered(connections: number): void;
  /** A stream resumed with Last-Event-ID and was sent `events` events from history. */
  replayed(outcome: ReplayOutcome, events: number): void;
}

export const HubObserver = Symbol('HubObserver');

/** The observer used when none is bound. */
export const NO_HUB_OBSERVER: HubObserver = Object.freeze({
  connectionOpened: () => undefined,
  connectionClosed: () => undefined,
  eventPublished: () => undefined,
  eventDelivered: () => undefined,
  replayed: () => undefined,
});
