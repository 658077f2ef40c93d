import { eventHistoryContract } from '../../testing/event-history.contract.js';
import { eventTransportContract } from '../../testing/event-transport.contract.js';
import type { HubFixture } from '../../testing/hub-fixture.js';
import { subscriptionRegistryContract } from '../../testing/subscription-registry.contract.js';
import { InMemoryEventHistoryAdapter } from './in-memory-event-history.adapter.js';
import { InMemoryEventTransportAdapter } from './in-memory-event-transport.adapter.js';
import { InMemorySubscriptionRegistryAdapter } from './in-memory-subscription-registry.adapter.js';

/** A single-process hub has one instance: every `instance()` is the same adapter. */
function singleInstance<T extends object>(adapter: T): HubFixture<T> {
  return {
    instance: async () => adapter,
    close: async () => {
      if ('close' in adapter && typeof adapter.close === 'function') {
        await adapter.close();
      }
    },
  };
}

eventHistoryContract('in-memory', async ({ capacity }) =>
  singleInstance(new InMemoryEventHistoryAdapter(capacity)),
);

eventTransportContract('in-memory', async () => {
  const transport = new InMemoryEventTransportAdapter();
  return singleInstance({
    history: new InMemoryEventHistoryAdapter(1_000),
    transport,
    close: () => transport.close(),
  });
});

subscriptionRegistryContract('in-memory', async ({ gracePeriodMs }) =>
  singleInstance(new InMemorySubscriptionRegistryAdapter(gracePeriodMs)),
);
