import type { Subscriber } from 'rxjs';
import type { ConnectionSink, SocketControl } from './connection-sink.js';
import type { StreamMessage } from './stream-message.js';

/**
 * A sink that emits into an Observable, for host apps that serve the stream from their own
 * `@Sse()` route: Nest writes each frame, and `control` tells about the socket under it.
 */
export function subscriberSink(subscriber: Subscriber<StreamMessage>, control: SocketControl): ConnectionSink {
  return {
    send: (message) => subscriber.next(message),
    end: () => subscriber.complete(),
    get closed() {
      return subscriber.closed;
    },
    // Runs when the subscriber completes, errors or is unsubscribed (Nest unsubscribes when the
    // request closes); at once if it already has.
    onClose: (listener) => subscriber.add(listener),
    isBackedUp: () => control.isBackedUp(),
    onceDrained: (listener) => control.onceDrained(listener),
    abort: () => control.abort(),
  };
}
