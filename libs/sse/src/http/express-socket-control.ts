import type { ServerResponse } from 'node:http';
import type { SocketControl } from '../application/connection-sink.js';

/** The socket control of an Express response, for `NotificationService.openStream()` in a host `@Sse()` route. */
export function expressSocketControl(response: ServerResponse): SocketControl {
  return {
    isBackedUp: () => response.writableNeedDrain,
    onceDrained: (listener) => {
      response.once('drain', listener);
      return () => response.off('drain', listener);
    },
    abort: () => response.destroy(),
  };
}
