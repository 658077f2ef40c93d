import type {
  EventTransport,
  HubEvent,
  HubEventHandler,
  Unsubscribe,
} from '../../domain/index.js';
import { ClosedTransportError } from '../../domain/index.js';

/** Fan-out inside one process: the embedded default for a single instance. */
export class InMemoryEventTransportAdapter implements EventTransport {
  private readonly handlers = new Set<HubEventHandler>();
  private closed = false;

  async publish(event: HubEvent): Promise<void> {
    if (this.closed) {
      throw new ClosedTransportError('InMemoryEventTransportAdapter');
    }
    // Delivered synchronously, so handlers see events in the order they were published.
    for (const handler of this.handlers) {
      handler(event);
    }
  }

  subscribe(handler: HubEventHandler): Unsubscribe {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Stops delivering; a closed adapter refuses to publish. */
  close(): void {
    this.closed = true;
    this.handlers.clear();
  }
}
