import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InMemoryEventHistoryAdapter } from './adapters/in-memory/in-memory-event-history.adapter.js';
import { InMemoryEventTransportAdapter } from './adapters/in-memory/in-memory-event-transport.adapter.js';
import { InMemorySubscriptionRegistryAdapter } from './adapters/in-memory/in-memory-subscription-registry.adapter.js';
import type {
  EventHistory,
  EventTransport,
  SubscriptionRegistry,
  TransportHealth,
} from './domain/index.js';
import { SSE_RESOLVED_OPTIONS } from './sse-resolved-options.js';
import type { ResolvedSseOptions } from './sse-options.validation.js';

/** Something an adapter opened that must be closed on shutdown. */
interface Closable {
  close(): void | Promise<void>;
}

/**
 * Builds the adapters the options ask for, once, and closes on shutdown only those it built:
 * adapters handed in through `adapters` belong to the host app (nest-lab's disconnectRequired).
 * This is the only place that knows adapter classes; everything else sees ports.
 */
@Injectable()
export class SseAdapterSet implements OnApplicationShutdown {
  readonly history: EventHistory;
  readonly transport: EventTransport;
  readonly registry: SubscriptionRegistry;
  readonly health?: TransportHealth;
  private readonly owned: Closable[] = [];

  constructor(@Inject(SSE_RESOLVED_OPTIONS) options: ResolvedSseOptions) {
    const given = options.adapters ?? {};
    this.history = given.history ?? this.own(new InMemoryEventHistoryAdapter(options.historySize));
    this.transport = given.transport ?? this.own(new InMemoryEventTransportAdapter());
    this.registry =
      given.registry ??
      this.own(new InMemorySubscriptionRegistryAdapter(options.subscriptionGracePeriodMs));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.owned.splice(0).map((adapter) => adapter.close()));
  }

  private own<T extends object>(adapter: T): T {
    if ('close' in adapter && typeof adapter.close === 'function') {
      this.owned.push(adapter as T & Closable);
    }
    return adapter;
  }
}
