import { Injectable, Logger, type BeforeApplicationShutdown, type NestMiddleware } from '@nestjs/common';
import type { ServerResponse } from 'node:http';

/** How long a shutdown waits for the module's REST answers in progress. */
const DRAIN_TIMEOUT_MS = 3_000;

/**
 * Lets the answers of the module's REST routes (publish, subscriptions) that are being written
 * when a shutdown starts reach their clients before the server closes: a 202 that was cut off
 * would leave a publisher unsure whether its event was accepted. Streams are the
 * `ConnectionService`'s to wait for.
 */
@Injectable()
export class InFlightAnswersMiddleware implements NestMiddleware, BeforeApplicationShutdown {
  private readonly logger = new Logger('SseShutdown');
  private readonly open = new Set<ServerResponse>();
  private drained?: () => void;

  use(_request: unknown, response: ServerResponse, next: () => void): void {
    this.open.add(response);
    response.once('close', () => {
      this.open.delete(response);
      if (this.open.size === 0) {
        this.drained?.();
      }
    });
    next();
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
      this.logger.warn(`${this.open.size} answer(s) still open after ${DRAIN_TIMEOUT_MS} ms: closing them`);
    }
  }
}
