import {
  PostgresTestHub,
  type PostgresInstanceOptions,
  type PostgresTestInstance,
} from '../../../../../test/helpers/postgres-adapters.js';
import { eventHistoryContract } from '../../testing/event-history.contract.js';
import { eventTransportContract } from '../../testing/event-transport.contract.js';
import type { HubFixture } from '../../testing/hub-fixture.js';
import { subscriptionRegistryContract } from '../../testing/subscription-registry.contract.js';

/**
 * The same suites as the in-memory and Redis adapters, on the shared PostgreSQL
 * (127.0.0.1:5432, database `test`) in a schema of their own, dropped afterwards. Each
 * `instance()` is another process's adapters on the same schema, with its own pool and
 * listener, so the cross-instance cases really cross connections.
 */
function postgresHub<T>(
  options: PostgresInstanceOptions,
  pick: (instance: PostgresTestInstance) => T,
): HubFixture<T> {
  const hub = new PostgresTestHub();
  return {
    instance: async () => pick(await hub.instance(options)),
    close: () => hub.close(),
  };
}

eventHistoryContract('postgres', async ({ capacity }) =>
  postgresHub({ historySize: capacity }, (i) => i.stream),
);

eventTransportContract('postgres', async () =>
  postgresHub({}, (i) => ({ history: i.stream, transport: i.stream })),
);

subscriptionRegistryContract('postgres', async ({ gracePeriodMs }) =>
  postgresHub({ gracePeriodMs }, (i) => i.registry),
);
