import { Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnectionSink } from '../application/connection-sink.js';
import { frameWeight, type StreamMessage } from '../application/stream-message.js';
import type { FlushScheduler } from './flush-scheduler.js';
import { encodeFrame, encodeFrameBytes } from './sse-frame-encoder.js';

/** The headers Nest's SseStream sends (after Mercure): no caching, no transform, no proxy buffering. */
export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'private, no-cache, no-store, must-revalidate, max-age=0, no-transform',
  Pragma: 'no-cache',
  Expires: '0',
  'X-Accel-Buffering': 'no',
} as const;

/**
 * What one flush writes at most, roughly (the frame that crosses it still goes): past it the
 * writer reports itself backed up, so the connection queues against its own bound instead, and
 * one write (and the string joined for it) stays small whatever a turn sends.
 */
const WRITE_BATCH_BYTES = 256 * 1024;

const logger = new Logger('SseStream');

/**
 * Writes a connection's frames straight to its HTTP response. Frames come pre-encoded (once per
 * event, shared by every connection) and those queued in one event-loop turn go out in one
 * socket write, up to `WRITE_BATCH_BYTES`. Headers are sent with the first frame, so a failure
 * before it can still be an ordinary JSON error. A failure while writing closes this response
 * only.
 */
export class SseResponseWriter implements ConnectionSink {
  /** Frames sent since the last flush, in order. */
  private frames: StreamMessage[] = [];
  /** What `frames` weigh (see `frameWeight`). */
  private pendingBytes = 0;
  /** Wait for the next flush, when the backlog is frames not yet written (see `onceDrained`). */
  private afterFlush?: (() => void)[];
  private scheduled = false;
  private headersSent = false;
  private finished = false;
  /** Set when a write was refused by a full socket buffer, until it drains (read per delivery). */
  private backedUp = false;
  private closeListener?: () => void;

  constructor(
    request: IncomingMessage,
    private readonly response: ServerResponse,
    private readonly scheduler: FlushScheduler,
  ) {
    // As SseStream does: no Nagle delay, keep-alive probes, and no idle timeout on the socket.
    if ((request.httpVersionMajor ?? 1) === 1) {
      request.socket.setNoDelay(true);
      request.socket.setKeepAlive(true);
      request.socket.setTimeout(0);
    }
    // One listener per response: a listener (and its closure) per concern would be kept for
    // every idle connection.
    response.once('close', () => {
      this.finished = true;
      this.frames.length = 0;
      this.closeListener?.();
    });
  }

  /** Calls `listener` once the response has closed, whoever closed it (one listener per writer). */
  onClose(listener: () => void): void {
    this.closeListener = listener;
    // A client can leave while its stream is being set up (the token check, a Redis round trip):
    // its response's 'close' has then fired already and will not fire again.
    if (this.response.destroyed) {
      this.finished = true;
      listener();
    }
  }

  get closed(): boolean {
    return this.finished || this.response.destroyed;
  }

  send(message: StreamMessage): void {
    if (this.closed) {
      return;
    }
    this.frames.push(message);
    this.pendingBytes += frameWeight(message);
    if (!this.scheduled) {
      this.scheduled = true;
      this.scheduler.schedule(this);
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.closed || this.frames.length === 0) {
      return;
    }
    try {
      this.commitHeaders();
      const frames = this.frames;
      // One frame (the common case) goes out as the bytes shared by every connection; several
      // (at most about WRITE_BATCH_BYTES) are joined into one write.
      const chunk = frames.length === 1 ? encodeFrameBytes(frames[0]) : frames.map(encodeFrame).join('');
      frames.length = 0;
      this.pendingBytes = 0;
      if (!this.response.write(chunk) && !this.backedUp) {
        this.backedUp = true;
        this.response.once('drain', () => {
          this.backedUp = false;
        });
      }
    } catch (error) {
      // Runs from the flush scheduler, where nothing would catch it: this stream ends, the
      // process and every other stream go on.
      logger.error(`Closing a stream that could not be written: ${String(error)}`);
      this.abort();
      return;
    }
    const afterFlush = this.afterFlush;
    if (afterFlush) {
      this.afterFlush = undefined;
      for (const listener of afterFlush) {
        if (this.backedUp) {
          this.response.once('drain', listener);
        } else {
          listener();
        }
      }
    }
  }

  end(): void {
    if (this.closed) {
      return;
    }
    this.flush();
    this.commitHeaders();
    this.finished = true;
    this.response.end();
  }

  isBackedUp(): boolean {
    return this.backedUp || this.pendingBytes >= WRITE_BATCH_BYTES;
  }

  /** Once the socket has drained; when only frames not yet written back it up, once they are. */
  onceDrained(listener: () => void): () => void {
    if (this.backedUp) {
      this.response.once('drain', listener);
      return () => this.response.off('drain', listener);
    }
    (this.afterFlush ??= []).push(listener);
    return () => {
      const index = this.afterFlush?.indexOf(listener) ?? -1;
      if (index >= 0) {
        this.afterFlush?.splice(index, 1);
      } else {
        this.response.off('drain', listener);
      }
    };
  }

  abort(): void {
    this.frames.length = 0;
    this.pendingBytes = 0;
    this.finished = true;
    this.response.destroy();
  }

  private commitHeaders(): void {
    if (!this.headersSent) {
      this.headersSent = true;
      this.response.writeHead(200, SSE_HEADERS);
    }
  }
}
