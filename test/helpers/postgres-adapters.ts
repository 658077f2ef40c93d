import {
  PostgresConnections,
  type PostgresLogger,
} from '../../libs/sse/src/adapters/postgres/postgres-connections.js';
import { PostgresClientCommandsAdapter } from '../../libs/sse/src/adapters/postgres/postgres-client-commands.adapter.js';
import { PostgresEventStreamAdapter } from '../../libs/sse/src/adapters/postgres/postgres-event-stream.adapter.js';
import { PostgresHubFeed } from '../../libs/sse/src/adapters/postgres/postgres-hub-feed.js';
import { PostgresSubscriptionRegistryAdapter } from '../../libs/sse/src/adapters/postgres/postgres-subscription-registry.adapter.js';
import { dropPostgresSchema, SHARED_POSTGRES_URL, uniquePostgresSchema } from './postgres.js';

/** Adapter specs expect connection trouble; they assert on it rather than print it. */
export const SILENT: PostgresLogger = { log: () => undefined, warn: () => undefined };

export interface PostgresInstanceOptions {
  readonly historySize?: number;
  readonly gracePeriodMs?: number;
  readonly leaseMs?: number;
}

/** One process's worth of PostgreSQL adapters, wired the way SseAdapterSet wires them. */
export interface PostgresTestInstance {
  readonly pg: PostgresConnections;
  readonly feed: PostgresHubFeed;
  readonly stream: PostgresEventStreamAdapter;
  readonly registry: PostgresSubscriptionRegistryAdapter;
  readonly commands: PostgresClientCommandsAdapter;
  close(): Promise<void>;
}

/** A hub on one database and schema; each `instance()` is another process's adapters. */
export class PostgresTestHub {
  readonly schema: string;
  private readonly instances: PostgresTestInstance[] = [];

  constructor(
    readonly url = SHARED_POSTGRES_URL,
    schema = uniquePostgresSchema('adapters'),
  ) {
    this.schema = schema;
  }

  async instance(options: PostgresInstanceOptions = {}): Promise<PostgresTestInstance> {
    const pg = new PostgresConnections({ connectionString: this.url, schema: this.schema, poolSize: 4, logger: SILENT });
    const feed = new PostgresHubFeed(pg, SILENT);
    const stream = new PostgresEventStreamAdapter(pg, feed, options.historySize ?? 1_000);
    const registry = new PostgresSubscriptionRegistryAdapter(pg, feed, {
      gracePeriodMs: options.gracePeriodMs ?? 30_000,
      leaseMs: options.leaseMs,
      logger: SILENT,
    });
    const commands = new PostgresClientCommandsAdapter(pg, SILENT);
    feed.start();
    let closed = false;
    const instance: PostgresTestInstance = {
      pg,
      feed,
      stream,
      registry,
      commands,
      close: async () => {
        if (closed) return;
        closed = true;
        commands.close();
        await registry.close();
        stream.close();
        feed.close();
        await pg.close();
      },
    };
    this.instances.push(instance);
    if (await pg.whenListening()) {
      await feed.ensureStarted();
    }
    return instance;
  }

  /** Closes every instance, then drops the schema. */
  async close(): Promise<void> {
    await Promise.all(this.instances.splice(0).map((instance) => instance.close()));
    await dropPostgresSchema(this.schema, this.url);
  }
}
