import {
  BEGINNING,
  ClosedTransportError,
  compareEventIds,
  isEventId,
  type BrokerHealth,
  type EventDraft,
  type EventHistory,
  type EventId,
  type EventTransport,
  type HistoryPage,
  type HubEvent,
  type HubEventHandler,
  type IdempotencyKey,
  type OnceAppended,
  type TransportHealth,
  type Unsubscribe,
} from '../../domain/index.js';
import { decodeEvent, encodeEvent } from '../redis/redis-entry-codec.js';
import { TurnBatch } from '../shared/turn-batch.js';
import { toBrokerError } from './postgres-broker-error.js';
import type { PostgresConnections } from './postgres-connections.js';
import type { PostgresHubFeed } from './postgres-hub-feed.js';
import { fromStoredId, optionalStoredId, toStoredId } from './postgres-ids.js';

/** Appends per statement at most: a bound on one transaction's size and lock time. */
const MAX_APPENDS_PER_STATEMENT = 256;

/** An append waiting for the end of the turn. */
interface QueuedAppend {
  readonly draft: EventDraft;
  readonly key: string | null;
  readonly windowMs: number;
}

/** How long a health check's `SELECT 1` may take. */
const HEALTH_TIMEOUT_MS = 1_500;

interface PageRow {
  readonly origin: string | null;
  readonly dropped: string | null;
  readonly newest: string | null;
  readonly id: string | null;
  readonly type: string | null;
  readonly target: string | null;
  readonly data: string | null;
  readonly trace: string | null;
}

/**
 * History and transport in one PostgreSQL table, as the Redis adapter keeps both in one stream.
 * Appending an event (the `append` function: take the hub lock, the next id, insert, trim to the
 * history size, NOTIFY the id; one transaction) is what accepts it: from then on it is in every
 * instance's replay, and every instance's feed (PostgresHubFeed) reads it from the table and
 * hands it to its local fan-out. So `publish()` has nothing left to do.
 *
 * Ids are `<ms>-<seq>` from the database's clock, strictly increasing in acceptance order across
 * instances, and committed in that order (the advisory lock, see postgres-schema.ts). The table
 * is trimmed to exactly the history size; the newest id trimmed away is recorded, and so is the
 * origin (where this history began), so `readAfter` knows whether a reader missed something.
 * @internal
 */
export class PostgresEventStreamAdapter implements EventHistory, EventTransport, TransportHealth {
  private closed = false;
  /** The appends of a turn of the event loop go to the database in one statement. */
  private readonly appends = new TurnBatch<QueuedAppend, OnceAppended>(
    (batch) => this.appendBatch(batch),
    MAX_APPENDS_PER_STATEMENT,
  );

  constructor(
    private readonly pg: PostgresConnections,
    private readonly feed: PostgresHubFeed,
    private readonly historySize: number,
  ) {
    if (!Number.isSafeInteger(historySize) || historySize < 1) {
      throw new RangeError('sse-hub: history size must be a positive integer');
    }
  }

  /** @throws BrokerUnavailableError, ClosedTransportError */
  async append(draft: EventDraft): Promise<HubEvent> {
    const once = await this.appendWith(draft, null, 0);
    if (!('appended' in once)) {
      throw toBrokerError(new Error('an append without a key was answered as a repeat'));
    }
    return once.appended;
  }

  /** The key is checked and stored in the append's transaction, under the hub lock. @throws as `append` */
  appendOnce(draft: EventDraft, key: IdempotencyKey, windowMs: number): Promise<OnceAppended> {
    return this.appendWith(draft, key, windowMs);
  }

  private async appendWith(draft: EventDraft, key: string | null, windowMs: number): Promise<OnceAppended> {
    this.assertOpen();
    return this.appends.add({ draft, key, windowMs });
  }

  /**
   * The appends of one turn (see `TurnBatch`) in one statement, so one transaction and one commit:
   * the `append` function once per event, in the batch's order (a nested loop over the ordered
   * list calls it row by row; each call takes the hub lock, which its transaction already holds
   * after the first).
   */
  private async appendBatch(batch: QueuedAppend[]): Promise<OnceAppended[]> {
    const columns: [string[], string[], string[], (string | null)[], (string | null)[], number[]] = [[], [], [], [], [], []];
    for (const { draft, key, windowMs } of batch) {
      const [type, target, data, traceContext] = encodeEvent(draft);
      columns[0].push(type);
      columns[1].push(target);
      columns[2].push(data);
      columns[3].push(traceContext === '' ? null : traceContext);
      columns[4].push(key);
      columns[5].push(windowMs);
    }
    let rows: { out_id: string; out_repeated: boolean }[];
    try {
      this.assertOpen();
      await this.feed.ensureStarted();
      const s = this.pg.schema;
      rows = await this.pg.query<{ out_id: string; out_repeated: boolean }>(
        `SELECT a.out_id, a.out_repeated
           FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[])
                WITH ORDINALITY AS u(type, target, data, trace, key, window_ms, n)
          CROSS JOIN LATERAL ${s}.append($1, $2, u.type, u.target, u.data, u.trace, u.key, u.window_ms, $9) a
          ORDER BY u.n`,
        [this.feed.floor, this.historySize, ...columns, this.pg.channels.feed],
      );
    } catch (error) {
      throw error instanceof ClosedTransportError ? error : toBrokerError(error);
    }
    if (rows.length !== batch.length) {
      throw toBrokerError(new Error(`an append of ${batch.length} events was answered with ${rows.length}`));
    }
    return batch.map(({ draft }, index) => {
      const id = fromStoredId(rows[index].out_id);
      this.feed.noteIssued(id);
      return rows[index].out_repeated ? { repeatOf: id } : { appended: { ...draft, id } };
    });
  }

  /**
   * Complete when nothing after `after` was ever trimmed away, `after` belongs to this history's
   * life (at or after its origin) and is not past its newest event: the Redis adapter's rule.
   * The markers and the rows come from one statement, so they match.
   * @throws BrokerUnavailableError, ClosedTransportError
   */
  async readAfter(after: EventId, limit: number): Promise<HistoryPage> {
    this.assertOpen();
    if (!isEventId(after)) {
      throw new TypeError(`sse-hub: "${after}" is not an event id`);
    }
    if (limit < 1) {
      return { events: [], complete: true };
    }
    let rows: PageRow[];
    try {
      const s = this.pg.schema;
      rows = await this.pg.query<PageRow>(
        `SELECT h.origin, h.dropped, (SELECT max(id) FROM ${s}.events) AS newest,
                e.id, e.type, e.target, e.data, e.trace
           FROM ${s}.hub h
           LEFT JOIN LATERAL (SELECT * FROM ${s}.events WHERE id > $1 ORDER BY id LIMIT $2) e ON true
          ORDER BY e.id`,
        [toStoredId(after), limit],
      );
    } catch (error) {
      throw toBrokerError(error);
    }
    const first = rows[0];
    const origin = optionalStoredId(first?.origin);
    const dropped = optionalStoredId(first?.dropped) ?? BEGINNING;
    const head = optionalStoredId(first?.newest) ?? origin;
    const complete =
      origin !== undefined &&
      head !== undefined &&
      compareEventIds(after, origin) >= 0 &&
      compareEventIds(after, dropped) >= 0 &&
      compareEventIds(after, head) <= 0;
    return { events: rows.flatMap(decodeReadable), complete };
  }

  /**
   * The newest event's id; before the first, the history's origin (set now if it has none).
   * @throws BrokerUnavailableError, ClosedTransportError
   */
  async headId(): Promise<EventId> {
    this.assertOpen();
    let rows: { head: string | null }[];
    try {
      await this.feed.ensureStarted();
      rows = await this.pg.query<{ head: string | null }>(`SELECT ${this.pg.schema}.head($1) AS head`, [
        this.feed.floor,
      ]);
    } catch (error) {
      throw toBrokerError(error);
    }
    const head = optionalStoredId(rows[0]?.head);
    if (head === undefined) {
      throw toBrokerError(new Error('no head id'));
    }
    this.feed.noteIssued(head);
    return head;
  }

  /** Nothing to send: `append` put the event in the table every instance reads. @throws ClosedTransportError */
  async publish(_event: HubEvent): Promise<void> {
    this.assertOpen();
  }

  /** Handlers get every event appended by any instance from now on, in id order. */
  subscribe(handler: HubEventHandler): Unsubscribe {
    this.assertOpen();
    this.feed.start();
    return this.feed.onEvent(handler);
  }

  /** Up when the listener listens and a pooled connection answers `SELECT 1` in time. */
  async checkHealth(): Promise<BrokerHealth> {
    const pool = this.pg.pool;
    const details = {
      broker: 'postgres',
      listener: this.pg.isListening() ? 'listening' : 'reconnecting',
      pool: `${pool.totalCount} open, ${pool.idleCount} idle, ${pool.waitingCount} waiting`,
    };
    if (this.closed || this.pg.isClosed || !this.pg.isListening()) {
      return { up: false, details };
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), HEALTH_TIMEOUT_MS);
    });
    const answered = this.pg.pool.query('SELECT 1').then(
      () => true,
      () => false,
    );
    const up = await Promise.race([answered, timedOut]);
    clearTimeout(timer);
    return { up, details };
  }

  /** Later calls throw ClosedTransportError; the connections are closed by their owner. */
  close(): void {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed || this.pg.isClosed) {
      throw new ClosedTransportError('PostgresEventStreamAdapter');
    }
  }
}

/** A row the hub cannot read (written by something else) is left out of a replay, as the feed leaves it out. */
function decodeReadable(row: PageRow): HubEvent[] {
  if (row.id === null) return [];
  const fields = new Map<string, string>([
    ['type', row.type ?? ''],
    ['target', row.target ?? ''],
    ['data', row.data ?? ''],
  ]);
  if (row.trace !== null) fields.set('trace', row.trace);
  try {
    return [decodeEvent({ id: fromStoredId(row.id), fields })];
  } catch {
    return [];
  }
}
