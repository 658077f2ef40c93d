import type { ClientId } from '../../domain/index.js';

/**
 * What a broker-backed registry writes about this instance's hold on its clients, each one
 * atomic step in the broker (a Lua script, a plpgsql function). Rejects while the broker is away.
 * @internal
 */
export interface PresenceWrites {
  /** This instance holds a connection of the client. False when the instance had no lease. */
  opened(clientId: ClientId): Promise<boolean>;
  /** This instance's last connection of the client closed. */
  closed(clientId: ClientId): Promise<void>;
  /** Renews this instance's lease. False when it had lapsed and been let go of. */
  renew(): Promise<boolean>;
  /** One round of settling due expiries and letting go of crashed instances; how much it did. */
  sweep(): Promise<number>;
  /** Lets go of every client of this instance (shutdown), in batches. */
  leave(): Promise<void>;
}

/** @internal */
export interface InstancePresenceOptions {
  readonly gracePeriodMs: number;
  readonly leaseMs: number;
  /** Clients a sweep round handles: a full round means more may be waiting. */
  readonly batch: number;
  /** Writes in flight at once while writing clients again after an outage. */
  readonly syncChunk: number;
  /** Whether the broker's connections are closed (nothing is written then). */
  readonly brokerClosed: () => boolean;
  /** Calls the listener whenever the broker is back after an outage; returns how to stop. */
  readonly onBrokerBack: (listener: () => void) => () => void;
}

/**
 * This instance's side of the shared registries (Redis, PostgreSQL): it counts the instance's own
 * connections per client, writes the broker only when a client's first connection here opens or
 * its last closes, renews the instance's lease and sweeps now and then. What could not be written
 * while the broker was away (the local count still changed) is marked unsynced and written again
 * when the broker is back or at the next renewal, as the count is then: opened while counted,
 * else closed.
 * @internal
 */
export class InstancePresence {
  /** Open connections per client on this instance. */
  private readonly local = new Map<ClientId, number>();
  /** Clients whose presence in the broker may not match `local` (a write failed or was lost). */
  private readonly unsynced = new Set<ClientId>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly stopBackListener: () => void;
  private syncing?: Promise<void>;
  private sweeping = false;
  private closed = false;

  constructor(
    private readonly writes: PresenceWrites,
    private readonly options: InstancePresenceOptions,
  ) {
    // Expiry shows within a fraction of the grace period (and within a second at most).
    const sweepEveryMs = Math.min(1_000, Math.max(20, Math.floor(options.gracePeriodMs / 4)));
    this.every(sweepEveryMs, () => this.sweep());
    this.every(Math.floor(options.leaseMs / 3), () => this.renew());
    this.stopBackListener = options.onBrokerBack(() => void this.renew());
  }

  /**
   * Counts the connection here at once, and tells the broker when it is the client's first on
   * this instance. If the broker cannot be told, the count stands, this throws, and the presence
   * is written when it is back.
   */
  async connectionOpened(clientId: ClientId): Promise<void> {
    const count = (this.local.get(clientId) ?? 0) + 1;
    this.local.set(clientId, count);
    if (count > 1 && !this.unsynced.has(clientId)) {
      return;
    }
    let known: boolean;
    try {
      known = await this.writes.opened(clientId);
    } catch (error) {
      this.unsynced.add(clientId);
      throw error;
    }
    if (!known) {
      // This instance had no lease: a sweeper let go of its clients. Write them all again.
      this.resyncAll();
    }
  }

  /**
   * Uncounts the connection. After the client's last connection here, the broker starts the
   * grace period unless another instance holds the client. A failed write is retried later
   * rather than thrown: the connection is gone either way.
   */
  async connectionClosed(clientId: ClientId): Promise<void> {
    const count = this.local.get(clientId) ?? 0;
    if (count === 0) {
      return;
    }
    if (count > 1) {
      this.local.set(clientId, count - 1);
      return;
    }
    this.local.delete(clientId);
    try {
      await this.writes.closed(clientId);
    } catch {
      this.unsynced.add(clientId);
    }
  }

  /**
   * Stops the timers and lets go of this instance's clients, so their grace periods start now
   * instead of when the lease would run out.
   */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.timers.splice(0).forEach((timer) => clearInterval(timer));
    this.stopBackListener();
    this.local.clear();
    this.unsynced.clear();
    if (this.options.brokerClosed()) {
      return;
    }
    try {
      await this.writes.leave();
    } catch {
      // The broker is away: the lease runs out by itself and the clients' grace periods follow.
    }
  }

  private every(ms: number, task: () => Promise<void>): void {
    const timer = setInterval(() => void task(), ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** Settles due expiries and lets go of crashed instances (whichever instance gets there first). */
  private async sweep(): Promise<void> {
    if (this.sweeping || this.closed || this.options.brokerClosed()) {
      return;
    }
    this.sweeping = true;
    try {
      // A full batch means more may be waiting; a few rounds per tick keep up with a burst.
      for (let round = 0; round < 10; round++) {
        if (!((await this.writes.sweep()) >= this.options.batch)) break;
      }
    } catch {
      // The broker is away; the next tick tries again.
    } finally {
      this.sweeping = false;
    }
  }

  /** Renews the lease; if it had lapsed and been let go of, writes every local client again. */
  private async renew(): Promise<void> {
    if (this.closed || this.options.brokerClosed()) {
      return;
    }
    try {
      if (!(await this.writes.renew())) {
        this.resyncAll();
      }
      await this.sync();
    } catch {
      // The broker is away; the next tick or its comeback tries again.
    }
  }

  private resyncAll(): void {
    for (const clientId of this.local.keys()) {
      this.unsynced.add(clientId);
    }
    void this.sync().catch(() => undefined);
  }

  /** Writes the current presence of every unsynced client: opened while counted, else closed. */
  private sync(): Promise<void> {
    // Cleared in a `finally` callback, which always runs later than this assignment.
    this.syncing ??= this.syncNow().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async syncNow(): Promise<void> {
    while (this.unsynced.size > 0 && !this.closed) {
      const chunk = [...this.unsynced].slice(0, this.options.syncChunk);
      chunk.forEach((clientId) => this.unsynced.delete(clientId));
      // Each write is sent in the same tick as its count is read, so a later open or close of
      // the same client is written after it, and the last write wins.
      const writes = chunk.map((clientId) =>
        ((this.local.get(clientId) ?? 0) > 0 ? this.writes.opened(clientId) : this.writes.closed(clientId)).catch(
          (error: unknown) => {
            this.unsynced.add(clientId);
            throw error;
          },
        ),
      );
      const results = await Promise.allSettled(writes);
      if (results.some((result) => result.status === 'rejected')) {
        return; // the broker is away again: the next renewal or comeback goes on
      }
    }
  }
}
