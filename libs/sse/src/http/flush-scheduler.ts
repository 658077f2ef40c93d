import { Injectable } from '@nestjs/common';

/** Something with frames waiting to be written. */
export interface Flushable {
  flush(): void;
}

/**
 * Collects the writers that got frames during one turn of the event loop and flushes each once
 * at its end: a burst of events to a connection becomes one socket write instead of one per
 * event, and a broadcast's fan-out loop is not interleaved with socket work.
 */
@Injectable()
export class FlushScheduler {
  private pending: Flushable[] = [];
  private scheduled = false;

  schedule(writer: Flushable): void {
    this.pending.push(writer);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  private readonly run = (): void => {
    const writers = this.pending;
    this.pending = [];
    this.scheduled = false;
    for (const writer of writers) {
      writer.flush();
    }
  };
}
