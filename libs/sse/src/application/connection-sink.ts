import type { StreamMessage } from './stream-message.js';

/**
 * What a connection needs from the socket under it, without knowing HTTP: whether its writes are
 * backed up, a way to hear when they drain, and a way to drop it.
 * @publicApi
 */
export interface SocketControl {
  isBackedUp(): boolean;
  /** Calls `listener` once when the backlog has drained; returns a function that cancels it. */
  onceDrained(listener: () => void): () => void;
  /** Drops the connection at once, discarding whatever is still buffered for it. */
  abort(): void;
}

/**
 * Where a connection's frames go: an HTTP response, or a host app's `@Sse()` Observable. The
 * sink tells when its stream is over, so whoever opened the connection on it (`ConnectionService`)
 * is the one that releases it, on every path.
 */
export interface ConnectionSink extends SocketControl {
  send(message: StreamMessage): void;
  /** Ends the stream cleanly; an EventSource then reconnects. */
  end(): void;
  /** True once the stream is over, ended here or closed by the client. */
  readonly closed: boolean;
  /**
   * Calls `listener` once when the stream is over, whoever ended it (the client leaving, `end()`,
   * `abort()`); at once when it is over already (a client can leave while its stream is set up).
   */
  onClose(listener: () => void): void;
}
