import { Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OnEveryRequest } from '../http-server/on-every-request.js';
import { redactUrl } from './redact-url.js';

/**
 * One line per request, written when it ends: method, URL with secrets redacted, status,
 * duration. A stream's line comes when the stream closes, so its duration is how long the client
 * was connected. Headers are never logged (Authorization and cookies carry tokens).
 *
 * A listener on the HTTP server, not Nest middleware, because it must log requests that never
 * reach Express, such as the stream route (see `OnEveryRequest`). At that level `request.url` is
 * the URL as it arrived, so it is what is logged.
 */
@Injectable()
export class AccessLog extends OnEveryRequest {
  protected readonly logger = new Logger('HTTP');

  protected onRequest(request: IncomingMessage, response: ServerResponse): void {
    const started = performance.now();
    const url = redactUrl(request.url ?? '');
    response.once('close', () => {
      const ms = Math.round(performance.now() - started);
      const outcome = response.writableFinished ? String(response.statusCode) : `${response.statusCode} (closed early)`;
      this.logger.log(`${request.method} ${url} ${outcome} ${ms}ms`);
    });
  }
}
