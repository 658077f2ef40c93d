/**
 * Heartbeats for every connection from one timer. The clock ticks four times per heartbeat
 * period; a write stamps the connection with the current tick, and a tick sends a heartbeat to
 * each connection that has written nothing for a full period. That costs a property store per
 * write instead of a timer per connection re-armed on every write.
 */
export class HeartbeatClock {
  static readonly TICKS_PER_PERIOD = 4;
  /** Advances by one every tick; connections compare it with the tick of their last write. */
  tick = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly periodMs: number) {}

  start(onTick: (tick: number) => void): void {
    this.stop();
    const interval = Math.max(1, Math.floor(this.periodMs / HeartbeatClock.TICKS_PER_PERIOD));
    this.timer = setInterval(() => onTick(++this.tick), interval);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
