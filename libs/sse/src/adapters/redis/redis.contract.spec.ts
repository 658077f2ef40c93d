import {
  RedisTestHub,
  type RedisInstanceOptions,
  type RedisTestInstance,
} from '../../../../../test/helpers/redis-adapters.js';
import { eventHistoryContract } from '../../testing/event-history.contract.js';
import { eventTransportContract } from '../../testing/event-transport.contract.js';
import type { HubFixture } from '../../testing/hub-fixture.js';
import { subscriptionRegistryContract } from '../../testing/subscription-registry.contract.js';

/**
 * The same suites as the in-memory adapters, on the shared Redis (127.0.0.1:6379) under a key
 * prefix of their own, deleted afterwards. Each `instance()` is another process's adapters on
 * the same prefix, so the cross-instance cases really cross connections.
 */
function redisHub<T>(
  options: RedisInstanceOptions,
  pick: (instance: RedisTestInstance) => T,
): HubFixture<T> {
  const hub = new RedisTestHub();
  return {
    instance: async () => pick(await hub.instance(options)),
    close: () => hub.close(),
  };
}

eventHistoryContract('redis', async ({ capacity }) =>
  redisHub({ historySize: capacity }, (i) => i.stream),
);

eventTransportContract('redis', async () =>
  redisHub({}, (i) => ({ history: i.stream, transport: i.stream })),
);

subscriptionRegistryContract('redis', async ({ gracePeriodMs }) =>
  redisHub({ gracePeriodMs }, (i) => i.registry),
);
