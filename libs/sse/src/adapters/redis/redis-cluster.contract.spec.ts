import { RedisTestHub, type RedisInstanceOptions, type RedisTestInstance } from '../../../../../test/helpers/redis-adapters.js';
import { PrivateRedisCluster } from '../../../../../test/helpers/redis-topologies.js';
import { eventHistoryContract } from '../../testing/event-history.contract.js';
import { eventTransportContract } from '../../testing/event-transport.contract.js';
import type { HubFixture } from '../../testing/hub-fixture.js';
import { subscriptionRegistryContract } from '../../testing/subscription-registry.contract.js';

/**
 * The port suites once more, on a Redis Cluster of three primaries that this file starts (private
 * processes on free ports): every script passes its keys in KEYS and every key of a hub is in one
 * slot, or the cluster refuses the call (CROSSSLOT) and these fail.
 */
let cluster: PrivateRedisCluster;

beforeAll(async () => {
  cluster = await PrivateRedisCluster.start();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

function clusterHub<T>(options: RedisInstanceOptions, pick: (instance: RedisTestInstance) => T): HubFixture<T> {
  const hub = new RedisTestHub({ cluster: cluster.addresses });
  return {
    instance: async () => pick(await hub.instance(options)),
    close: () => hub.close(),
  };
}

eventHistoryContract('redis cluster', async ({ capacity }) => clusterHub({ historySize: capacity }, (i) => i.stream));

eventTransportContract('redis cluster', async () =>
  clusterHub({}, (i) => ({ history: i.stream, transport: i.stream })),
);

subscriptionRegistryContract('redis cluster', async ({ gracePeriodMs }) => clusterHub({ gracePeriodMs }, (i) => i.registry));
