/**
 * The PostgreSQL adapters, loaded together and only with `broker: 'postgres'` (they import `pg`,
 * an optional peer of the package).
 */
export { PostgresConnections } from './postgres-connections.js';
export { PostgresEventStreamAdapter } from './postgres-event-stream.adapter.js';
export { PostgresHubFeed } from './postgres-hub-feed.js';
export { PostgresSubscriptionRegistryAdapter } from './postgres-subscription-registry.adapter.js';
export { PostgresClientCommandsAdapter } from './postgres-client-commands.adapter.js';
