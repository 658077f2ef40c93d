/**
 * The Redis adapters, loaded together and only with `broker: 'redis'` (they import `ioredis`, an
 * optional peer of the package).
 */
export { RedisConnections } from './redis-connections.js';
export { RedisEventStreamAdapter } from './redis-event-stream.adapter.js';
export { RedisHubFeed } from './redis-hub-feed.js';
export { RedisSubscriptionRegistryAdapter } from './redis-subscription-registry.adapter.js';
export { RedisClientCommandsAdapter } from './redis-client-commands.adapter.js';
