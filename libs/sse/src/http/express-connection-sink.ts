import type { ServerResponse } from 'node:http';
import type { ConnectionSink } from '../application/connection-sink.js';

/** A connection's view of the HTTP response its frames are written to. */
export function expressConnectionSink(response: ServerResponse): ConnectionSink {
  return {
    isBackedUp: () => response.writableNeedDrain,
    onceDrained: (listener) => {
      response.once('drain', listener);
      return () => response.off('drain', listener);
    },
    abort: () => response.destroy(),
  };
}
