import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OnEveryRequest } from '../http-server/on-every-request.js';

/** How long a shutdown waits for responses to finish before the sockets are closed anyway. */
export const DRAIN_TIMEOUT_MS = 3_000;

/**
 * The responses still being written. A shutdown runs `onModuleDestroy` (the hub ends every
 * stream), then `beforeApplicationShutdown` (this waits for those ends, and any REST answer
 * in progress, to reach the socket), then closes the server and destroys what is left
 * (`forceCloseConnections`). Without the wait, the destroy can overtake a stream's last chunk,
 * and the client sees a cut connection instead of a clean end.
 *
 * Responses are tracked by a listener on the HTTP server, not Nest middleware, because the wait
 * must cover requests that never reach Express, such as the stream route (see `OnEveryRequest`).
 */
@Injectable()
export class InFlightRequests extends OnEveryRequest implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private readonly open = new Set<ServerResponse>();
  private drained?: () => void;

  get size(): number {
    return this.open.size;
  }

  protected onRequest(_request: IncomingMessage, response: ServerResponse): void {
    this.open.add(response);
    response.once('close', () => {
      this.open.delete(response);
      if (this.open.size === 0) {
        this.drained?.();
      }
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.open.size === 0) {
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      new Promise<true>((resolve) => (this.drained = () => resolve(true))),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (!finished) {
      this.logger.warn(`${this.open.size} response(s) still open after ${DRAIN_TIMEOUT_MS} ms: closing them`);
    }
  }
}
