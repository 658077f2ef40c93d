import { TurnBatch } from './turn-batch.js';

describe('TurnBatch', () => {
  /** A send that records each batch and answers every item with its own value doubled. */
  const recording = () => {
    const batches: number[][] = [];
    const send = async (items: number[]) => {
      batches.push(items);
      return items.map((item) => item * 2);
    };
    return { batches, send };
  };

  it('sends the calls of one turn together, in the order made, and answers each its own result', async () => {
    const { batches, send } = recording();
    const batch = new TurnBatch(send, 10);
    const results = await Promise.all([1, 2, 3].map((n) => batch.add(n)));
    expect(results).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('sends calls of a later turn in a later batch', async () => {
    const { batches, send } = recording();
    const batch = new TurnBatch(send, 10);
    await batch.add(1);
    await batch.add(2);
    expect(batches).toEqual([[1], [2]]);
  });

  it('after a turn with calls, sends the next turn\'s calls ahead of end-of-turn work queued in that turn', async () => {
    const order: string[] = [];
    const batch = new TurnBatch(async (items: number[]) => {
      order.push(`send ${items.join(',')}`);
      return items;
    }, 10);
    await batch.add(1);
    // Queued before the call, as a connection's writes are queued while a poll hands events over.
    const writes = new Promise<void>((resolve) =>
      setImmediate(() => {
        order.push('writes');
        resolve();
      }),
    );
    await Promise.all([batch.add(2), writes]);
    expect(order).toEqual(['send 1', 'send 2', 'writes']);
  });

  it('splits a turn at maxPerSend, sending the parts one after the other in order', async () => {
    const order: string[] = [];
    const batch = new TurnBatch(async (items: number[]) => {
      order.push(`start ${items.join(',')}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(`end ${items.join(',')}`);
      return items;
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => batch.add(n)));
    expect(order).toEqual(['start 1,2', 'end 1,2', 'start 3,4', 'end 3,4', 'start 5', 'end 5']);
  });

  it('rejects every call of a batch whose send fails, and goes on with the next batch', async () => {
    const failure = new Error('broker away');
    const batch = new TurnBatch(async (items: number[]) => {
      if (items.includes(1)) throw failure;
      return items;
    }, 2);
    const outcomes = await Promise.allSettled([1, 2, 3].map((n) => batch.add(n)));
    expect(outcomes).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
      { status: 'fulfilled', value: 3 },
    ]);
  });
});
