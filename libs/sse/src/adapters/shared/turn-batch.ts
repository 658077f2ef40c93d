/**
 * Collects the calls made in one turn of the event loop and sends them together at its end (the
 * check phase), in the order they were made, at most `maxPerSend` a send; the sends of one turn
 * go one after the other, so a broker that serves them on different connections keeps the order.
 *
 * Why a broker adapter appends this way: the publishes of one poll of the sockets (a busy hub
 * gets many) become visible to readers at once, so every instance takes them in one read and
 * each of its connections gets them in one write. Sent one by one, the first append alone wakes
 * the readers, and a busy hub writes every event to every connection on its own.
 * @internal
 */
export class TurnBatch<Item, Result> {
  private pending: Pending<Item, Result>[] = [];
  private armed = false;

  constructor(
    /** Sends a batch; resolves with one result per item, in the batch's order. */
    private readonly sendBatch: (items: Item[]) => Promise<Result[]>,
    private readonly maxPerSend: number,
  ) {}

  add(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.armed) {
        this.armed = true;
        setImmediate(this.endOfTurn);
      }
    });
  }

  private readonly endOfTurn = (): void => {
    const pending = this.pending;
    this.pending = [];
    // After a turn with calls, the next turn's send is queued at once: it then runs before what
    // that turn's poll queues for its end (the connections' socket writes), so the broker works
    // on the batch while this process writes, and its answer is there for the next poll rather
    // than the one after. A turn without calls disarms it.
    if (pending.length > 0) {
      setImmediate(this.endOfTurn);
    } else {
      this.armed = false;
    }
    void this.send(pending);
  };

  private async send(pending: Pending<Item, Result>[]): Promise<void> {
    for (let from = 0; from < pending.length; from += this.maxPerSend) {
      const slice = pending.slice(from, from + this.maxPerSend);
      try {
        const results = await this.sendBatch(slice.map(({ item }) => item));
        slice.forEach(({ resolve }, index) => resolve(results[index]));
      } catch (error) {
        slice.forEach(({ reject }) => reject(error as Error));
      }
    }
  }
}

interface Pending<Item, Result> {
  readonly item: Item;
  readonly resolve: (result: Result) => void;
  readonly reject: (error: Error) => void;
}
