import { jest } from '@jest/globals';
import { Observable } from 'rxjs';
import type { SocketControl } from './connection-sink.js';
import type { StreamMessage } from './stream-message.js';
import { subscriberSink } from './subscriber-sink.js';

const socket: SocketControl = { isBackedUp: () => false, onceDrained: () => () => undefined, abort: () => undefined };

/** Subscribes to an Observable whose sink reports its close to `closed`. */
function openSink(closed: () => void) {
  let sink!: ReturnType<typeof subscriberSink>;
  const subscription = new Observable<StreamMessage>((subscriber) => {
    sink = subscriberSink(subscriber, socket);
    sink.onClose(closed);
  }).subscribe();
  return { sink, subscription };
}

describe('subscriberSink', () => {
  it('reports its close when the subscriber goes away (Nest unsubscribes when the request closes)', () => {
    const closed = jest.fn();
    const { sink, subscription } = openSink(closed);
    expect(closed).not.toHaveBeenCalled();
    subscription.unsubscribe();
    expect(closed).toHaveBeenCalledTimes(1);
    expect(sink.closed).toBe(true);
  });

  it('reports its close when the stream is ended here', () => {
    const closed = jest.fn();
    const { sink } = openSink(closed);
    sink.end();
    expect(closed).toHaveBeenCalledTimes(1);
  });

  it('reports at once to a listener added after the close', () => {
    const { sink } = openSink(() => undefined);
    sink.end();
    const late = jest.fn();
    sink.onClose(late);
    expect(late).toHaveBeenCalledTimes(1);
  });
});
