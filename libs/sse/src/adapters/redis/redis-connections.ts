import { Logger } from '@nestjs/common';
import { Cluster, Command, type RedisOptions } from 'ioredis';
import { REPLICAS_NOT_CONFIRMED } from './redis-broker-error.js';
import { HUB_SCRIPTS, scriptKeys, type HubScript, type ScriptArgs } from './redis-scripts.js';
import { redisKeys, type RedisKeys } from './redis-keys.js';
import { connectTo, duplicateOf, type RedisClient, type RedisTopology, type RoleOptions } from './redis-topology.js';

/** Where the adapters report connection trouble; Nest's Logger by default. @internal */
export interface RedisLogger {
  log(message: string): void;
  warn(message: string): void;
}

/** @internal */
export interface RedisConnectionsOptions {
  /** One server by URL, Sentinel or a cluster. Never logged: it may carry a password. */
  readonly topology: RedisTopology;
  readonly keyPrefix: string;
  /**
   * Replicas that must have a write before it counts as done (`WAIT`), for `confirmReplicated`.
   * @default 0
   */
  readonly minReplicas?: number;
  readonly logger?: RedisLogger;
}

/** How long a command may take before the call fails (as 503) instead of hanging a request. */
export const COMMAND_TIMEOUT_MS = 2_000;
/** How long a publish waits for its replicas (`WAIT`) before it is answered 503. */
export const REPLICA_WAIT_MS = 1_000;
/** How long the reader's XREAD blocks on the server before it asks again. */
export const READ_BLOCK_MS = 5_000;
/** How long start-up waits for a first connection before the hub starts anyway, unhealthy. */
const FIRST_CONNECT_WAIT_MS = 3_000;
const QUIT_TIMEOUT_MS = 1_000;

/** Reconnect quickly and keep trying forever: a Redis restart should cost seconds, not minutes. */
const reconnectDelay = (attempt: number): number => Math.min(50 * 2 ** Math.min(attempt, 5), 1_000);

/**
 * The publisher answers requests, so it fails fast rather than queueing while Redis is away:
 * no offline queue, no retry of a command whose connection dropped (it might run late, after
 * the caller was told 503), and a command timeout. What it wrote is never "accepted, then lost".
 */
const PUBLISHER_OPTIONS: RedisOptions = {
  // RESP2: the reply shapes the codec checks are the same on every Redis version.
  protocol: 2,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  commandTimeout: COMMAND_TIMEOUT_MS,
  connectTimeout: 5_000,
  retryStrategy: reconnectDelay,
  connectionName: 'sse-hub:publisher',
};

/**
 * The reader only runs the blocking XREAD loop, which is meant to wait out an outage: its read
 * stays queued while Redis is away and is sent again on reconnect, from the same position.
 * The command timeout does not apply (a blocking read outlives it); a socket that stays silent
 * well past the block time is dropped as dead and reconnected.
 */
const READER_OPTIONS: RoleOptions = {
  enableOfflineQueue: true,
  maxRetriesPerRequest: null,
  autoResendUnfulfilledCommands: true,
  commandTimeout: undefined,
  blockingTimeout: READ_BLOCK_MS,
  socketTimeout: READ_BLOCK_MS * 3,
  connectionName: 'sse-hub:reader',
};

/**
 * Drops a connection unless it is already gone: ioredis arms a 2 s timer on every disconnect()
 * that only the socket's close clears, and a closed socket never closes again.
 */
function disconnect(connection: RedisClient): void {
  if (connection.status !== 'end') {
    connection.disconnect();
  }
}

type ScriptCall = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

/**
 * The two Redis connections of one process (ioredis's advice for blocking reads): a publisher
 * for every ordinary command, and a `duplicate()`d reader that does nothing but the one blocking
 * XREAD loop of the process, so a blocked read never delays a publish. Owns their shutdown.
 * @internal
 */
export class RedisConnections {
  readonly publisher: RedisClient;
  readonly reader: RedisClient;
  readonly keys: RedisKeys;
  /** Whether this is a Redis Cluster (its pub/sub is sharded, its WAIT goes to the hub's shard). */
  readonly isCluster: boolean;
  /** Which shape of Redis this is, for health details: `server`, `sentinel` or `cluster`. */
  readonly topologyKind: 'server' | 'sentinel' | 'cluster';
  /** Replicas a publish waits for (see `confirmReplicated`). */
  readonly minReplicas: number;
  private readonly logger: RedisLogger;
  private reportedDown = false;
  private closed = false;

  constructor({ topology, keyPrefix, minReplicas = 0, logger }: RedisConnectionsOptions) {
    this.logger = logger ?? new Logger('SseRedis');
    this.keys = redisKeys(keyPrefix);
    this.minReplicas = minReplicas;
    this.publisher = connectTo(topology, PUBLISHER_OPTIONS);
    this.isCluster = this.publisher instanceof Cluster;
    this.topologyKind = 'cluster' in topology ? 'cluster' : 'sentinels' in topology ? 'sentinel' : 'server';
    // No fixed key count: each call passes its per-client keys too, so it gives the count first.
    for (const [name, { lua }] of Object.entries(HUB_SCRIPTS)) {
      this.publisher.defineCommand(name, { lua });
    }
    this.reader = this.duplicate(READER_OPTIONS);
    for (const connection of [this.publisher, this.reader]) {
      // Without a listener ioredis prints every reconnect attempt's error; one line per outage
      // is enough, and health checks say the rest.
      connection.on('error', (error: Error) => this.reportDown(error));
      connection.on('ready', () => this.reportUp());
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Whether both connections are connected and ready for commands. */
  isReady(): boolean {
    return this.publisher.status === 'ready' && this.reader.status === 'ready';
  }

  /**
   * Waits (bounded) until both connections are ready, so the first request after start-up works
   * and health reports up. Resolves whether they are.
   */
  async whenReady(timeoutMs = FIRST_CONNECT_WAIT_MS): Promise<boolean> {
    if (this.isReady()) {
      return true;
    }
    return new Promise((resolve) => {
      const done = (ready: boolean): void => {
        clearTimeout(timer);
        this.publisher.off('ready', onReady);
        this.reader.off('ready', onReady);
        resolve(ready);
      };
      const onReady = (): void => {
        if (this.isReady()) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      timer.unref();
      this.publisher.on('ready', onReady);
      this.reader.on('ready', onReady);
    });
  }

  /** Another connection to the same Redis, with a role's own options. */
  duplicate(role: RoleOptions): RedisClient {
    return duplicateOf(this.publisher, role);
  }

  /**
   * Publishes on one of the hub's channels; resolves with how many subscribers heard it. On a
   * cluster the hub's channels are sharded (SPUBLISH), so the count is every instance's
   * subscriber: a plain PUBLISH there counts only those on the node it reached.
   */
  async publishToHub(channel: string, message: string): Promise<number> {
    return Number(
      this.isCluster ? await this.publisher.spublish(channel, message) : await this.publisher.publish(channel, message),
    );
  }

  /**
   * Subscribes a connection (one made by `duplicate`) to the hub's channels, sharded on a cluster
   * as `publishToHub` publishes; `onMessage` hears what arrives on them.
   */
  subscribeToHub(
    subscriber: RedisClient,
    channels: readonly string[],
    onMessage: (channel: string, message: string) => void,
  ): Promise<unknown> {
    subscriber.on(this.isCluster ? 'smessage' : 'message', onMessage);
    return this.isCluster ? subscriber.ssubscribe(...channels) : subscriber.subscribe(...channels);
  }

  /**
   * Resolves once `minReplicas` replicas have every write made so far (WAIT); at once with 0.
   * @throws Error when fewer confirm within REPLICA_WAIT_MS (the caller answers 503)
   */
  async confirmReplicated(): Promise<void> {
    if (this.minReplicas === 0) {
      return;
    }
    const args = [this.minReplicas, REPLICA_WAIT_MS];
    // WAIT has no key, so a cluster would send it to any node: it must go to the hub's shard,
    // whose primary took the write (its slot is the one of every hub key).
    const confirmed = Number(
      this.publisher instanceof Cluster
        ? await this.publisher.sendCommand(new Command('wait', args), undefined, { slot: this.hubSlot() })
        : await this.publisher.call('WAIT', ...args),
    );
    if (!(confirmed >= this.minReplicas)) {
      const error = new Error(`only ${confirmed} of ${this.minReplicas} replicas confirmed the write in time`);
      error.name = REPLICAS_NOT_CONFIRMED;
      throw error;
    }
  }

  /** The cluster slot of every hub key (they share the hash tag), as ioredis computes it. */
  private hubSlot(): number {
    return new Command('get', [this.keys.sequence]).getSlot() as number;
  }

  /** Calls `listener` each time the publisher (re)connects. */
  onReconnect(listener: () => void): () => void {
    this.publisher.on('ready', listener);
    return () => this.publisher.off('ready', listener);
  }

  /**
   * Runs one of the hub's Lua scripts (EVALSHA, loading it again after a Redis restart): its fixed
   * keys come from `keys` and its per-call keys from its arguments (`scriptKeys`), its arguments
   * by name, in the order its contract gives them (see redis-scripts.ts), then `rest`, the list
   * some scripts take after them.
   */
  run<S extends HubScript>(
    script: S,
    args: ScriptArgs<S>,
    rest: readonly string[] = [],
  ): Promise<unknown> {
    const keys = scriptKeys(this.keys, script, args as Readonly<Record<string, string | number>>, rest);
    const named = (HUB_SCRIPTS[script].args as readonly (keyof ScriptArgs<S>)[]).map((name) => args[name]);
    const call = (this.publisher as unknown as Record<HubScript, ScriptCall>)[script];
    return call.call(this.publisher, keys.length, ...keys, ...named, ...rest);
  }

  /** Closes both connections: the reader at once (its read is blocking), the publisher after its replies. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    if (this.publisher.status === 'ready') {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), QUIT_TIMEOUT_MS);
      });
      const quit = this.publisher.quit().then(
        () => false,
        () => true,
      );
      const forced = await Promise.race([quit, timedOut]);
      clearTimeout(timer);
      if (forced) {
        this.publisher.disconnect();
      }
    } else {
      disconnect(this.publisher);
    }
    disconnect(this.reader);
  }

  private reportDown(error: Error): void {
    if (!this.reportedDown && !this.closed) {
      this.reportedDown = true;
      this.logger.warn(`Redis connection lost (${error.message}); reconnecting`);
    }
  }

  private reportUp(): void {
    if (this.reportedDown && this.isReady()) {
      this.reportedDown = false;
      this.logger.log('Redis connection is back');
    }
  }
}
