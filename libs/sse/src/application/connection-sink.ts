/**
 * What a connection needs from the socket under it, without knowing HTTP: whether its writes are
 * backed up, a way to hear when they drain, and a way to drop it.
 */
export interface ConnectionSink {
  isBackedUp(): boolean;
  /** Calls `listener` once when the backlog has drained; returns a function that cancels it. */
  onceDrained(listener: () => void): () => void;
  /** Drops the connection at once, discarding whatever is still buffered for it. */
  abort(): void;
}
