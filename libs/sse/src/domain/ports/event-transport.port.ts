import type { HubEvent } from '../hub-event.js';
import type { Unsubscribe } from './unsubscribe.js';

export type HubEventHandler = (event: HubEvent) => void;

/**
 * Fans accepted events out to every instance of the hub. Each instance subscribes once and fans
 * out to its own connections, so the broker's cost does not grow with connections. Handlers get
 * events in id order.
 */
export interface EventTransport {
  /** Hands an event (already in history) to every instance, this one included. */
  publish(event: HubEvent): Promise<void>;
  subscribe(handler: HubEventHandler): Unsubscribe;
}

export const EventTransport = Symbol('EventTransport');
