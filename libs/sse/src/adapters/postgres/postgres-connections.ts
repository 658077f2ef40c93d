import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { Client, Pool, QueryResultRow } from 'pg';
import { channelsOf, hubLockKey, schemaLockKey, schemaStatements, type PostgresChannels } from './postgres-schema.js';

/** Where the adapters report connection trouble; Nest's Logger by default. @internal */
export interface PostgresLogger {
  log(message: string): void;
  warn(message: string): void;
}

/** @internal */
export interface PostgresConnectionsOptions {
  /** `postgres://` URL. Never logged: it may carry a password. */
  readonly connectionString: string;
  /** The schema of the hub's tables; instances on one database and schema form one hub. */
  readonly schema: string;
  /** Connections of the pool: a hub's requests share them, never one per stream. */
  readonly poolSize: number;
  readonly logger?: PostgresLogger;
}

/** How long a statement may take before the call fails (as 503) instead of hanging a request. */
export const STATEMENT_TIMEOUT_MS = 5_000;
/** How long getting a connection may take: with PostgreSQL down, a publish is refused in that time. */
export const CONNECT_TIMEOUT_MS = 2_000;
/**
 * How often the listener checks its connection with a `SELECT 1`, and how long the answer may
 * take: a connection cut without a word (a network partition) would otherwise look alive while
 * no notification comes. Redis's reader has its socket timeout for the same reason.
 */
const LISTENER_PING_MS = 10_000;
const LISTENER_PING_TIMEOUT_MS = 5_000;
/** SQLSTATE of a statement the role may not run. */
const INSUFFICIENT_PRIVILEGE = '42501';
/** How long start-up waits for a first connection before the hub starts anyway, unhealthy. */
const FIRST_CONNECT_WAIT_MS = 3_000;

/** Reconnect quickly and keep trying forever: a restart of PostgreSQL should cost seconds. */
const reconnectDelay = (attempt: number): number => Math.min(50 * 2 ** Math.min(attempt, 5), 1_000);

type NotificationHandler = (payload: string) => void;

/**
 * The PostgreSQL connections of one process: a pool for every ordinary statement (sized for a
 * hub, shared by all its requests), and one dedicated client, outside the pool, that does
 * nothing but LISTEN on the hub's channels (a pooled connection would be handed to someone else
 * and its LISTEN lost). The listener reconnects by itself after an outage, listens again and
 * tells its users (`onListening`), who then catch up from the tables. Owns the schema's creation
 * and the shutdown of both.
 * @internal
 */
export class PostgresConnections {
  readonly pool: Pool;
  readonly schema: string;
  readonly channels: PostgresChannels;
  /** The name the listener's session carries, which counts the instances of this hub. */
  readonly listenerName: string;
  private readonly logger: PostgresLogger;
  private listener?: Client;
  private listening = false;
  private readonly handlers = new Map<string, Set<NotificationHandler>>();
  private readonly listeningHandlers = new Set<() => void>();
  private schemaReady?: Promise<void>;
  private reportedDown = false;
  private closed = false;
  private reconnectTimer?: NodeJS.Timeout;
  private attempts = 0;

  constructor(private readonly options: PostgresConnectionsOptions) {
    this.logger = options.logger ?? new Logger('SsePostgres');
    this.schema = options.schema;
    schemaStatements(options.schema); // checks the name before anything connects
    this.channels = channelsOf(options.schema);
    this.listenerName = `sse-hub:${options.schema}`;
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      query_timeout: STATEMENT_TIMEOUT_MS + 1_000,
      idleTimeoutMillis: 30_000,
      application_name: 'sse-hub',
      keepAlive: true,
    });
    // An idle pooled connection that the server drops emits here; the pool replaces it.
    this.pool.on('error', (error) => this.reportDown(error));
    this.connectListener();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Whether the listener is connected and listening (the pool connects on demand). */
  isListening(): boolean {
    return this.listening;
  }

  /** The hub's advisory lock key (see postgres-schema.ts). */
  get lockKey(): string {
    return hubLockKey(this.schema);
  }

  /** Runs one statement on a pooled connection. */
  async query<R extends QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    await this.ensureSchema();
    const result = await this.pool.query<R>(text, values);
    return result.rows;
  }

  /**
   * Creates the schema once per process (again after a failure): in one transaction under an
   * advisory lock, since `CREATE ... IF NOT EXISTS` and `CREATE OR REPLACE FUNCTION` race when
   * two instances start at once.
   */
  ensureSchema(): Promise<void> {
    this.schemaReady ??= this.createSchema().catch((error: unknown) => {
      this.schemaReady = undefined;
      throw error;
    });
    return this.schemaReady;
  }

  /** Calls `handler` with the payload of every notification on `channel`. */
  onNotification(channel: string, handler: NotificationHandler): () => void {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Calls `listener` each time the listener (re)starts listening: time to catch up. */
  onListening(listener: () => void): () => void {
    this.listeningHandlers.add(listener);
    return () => this.listeningHandlers.delete(listener);
  }

  /** Waits (bounded) until the listener listens. Resolves whether it does. */
  async whenListening(timeoutMs = FIRST_CONNECT_WAIT_MS): Promise<boolean> {
    if (this.listening) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        stop();
        resolve(false);
      }, timeoutMs);
      timer.unref();
      const stop = this.onListening(() => {
        clearTimeout(timer);
        stop();
        resolve(true);
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listening = false;
    clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = undefined;
    await Promise.all([
      listener?.end().catch(() => undefined),
      this.pool.end().catch(() => undefined),
    ]);
  }

  private async createSchema(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(${schemaLockKey(this.schema)})`);
      for (const statement of schemaStatements(this.schema)) {
        await client.query(statement);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A role that may use the hub's tables but not create or replace them (a team that runs
      // the SQL as a migration, docs/postgres.md): go on when the schema is already there.
      if ((error as { code?: unknown }).code === INSUFFICIENT_PRIVILEGE && (await this.schemaExists(client))) {
        this.logger.warn(
          `Not allowed to create or update schema ${this.schema}; using it as it is (run its SQL as a migration)`,
        );
        return;
      }
      throw error;
    } finally {
      client.release();
    }
  }

  /** Whether the newest object of the schema (its last function) is there. */
  private async schemaExists(client: { query: Pool['query'] }): Promise<boolean> {
    const { rows } = await client.query<{ found: boolean }>(
      `SELECT to_regprocedure($1) IS NOT NULL AS found`,
      [`${this.schema}.sweep(bigint, bigint, bigint, text, integer)`],
    );
    return rows[0]?.found === true;
  }

  /** Connects the listener, creates the schema if needed, LISTENs, then tells the users. */
  private connectListener(): void {
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: this.listenerName,
      keepAlive: true,
      keepAliveInitialDelayMillis: LISTENER_PING_MS,
    });
    this.listener = client;
    let failed = false;
    let ping: NodeJS.Timeout | undefined;
    const fail = (error?: Error): void => {
      if (failed) return;
      failed = true;
      clearInterval(ping);
      this.listening = false;
      if (error) this.reportDown(error);
      client.end().catch(() => undefined);
      if (this.listener === client) this.listener = undefined;
      this.scheduleReconnect();
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('the listener connection ended')));
    client.on('notification', ({ channel, payload }) => {
      for (const handler of this.handlers.get(channel) ?? []) {
        try {
          handler(payload ?? '');
        } catch (error) {
          this.logger.warn(`A notification handler failed: ${String(error)}`);
        }
      }
    });
    void (async () => {
      try {
        await client.connect();
        await this.ensureSchema();
        for (const channel of Object.values(this.channels)) {
          await client.query(`LISTEN "${channel}"`);
        }
        if (this.closed || failed) return;
        ping = setInterval(() => void this.ping(client, fail), LISTENER_PING_MS);
        ping.unref();
        this.attempts = 0;
        this.listening = true;
        this.reportUp();
        for (const listener of [...this.listeningHandlers]) listener();
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)));
      }
    })();
  }

  /** Drops the listener (to reconnect) when it does not answer in time. */
  private async ping(client: Client, fail: (error?: Error) => void): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), LISTENER_PING_TIMEOUT_MS);
    });
    const answered = client.query('SELECT 1').then(
      () => true,
      () => false,
    );
    const alive = await Promise.race([answered, timedOut]);
    clearTimeout(timer);
    if (!alive && !this.closed) {
      fail(new Error('the listener did not answer'));
    }
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connectListener();
    }, reconnectDelay(this.attempts++));
    this.reconnectTimer.unref();
  }

  private reportDown(error: Error): void {
    if (!this.reportedDown && !this.closed) {
      this.reportedDown = true;
      this.logger.warn(`PostgreSQL connection lost (${error.message}); reconnecting`);
    }
  }

  private reportUp(): void {
    if (this.reportedDown) {
      this.reportedDown = false;
      this.logger.log('PostgreSQL connection is back');
    }
  }
}
