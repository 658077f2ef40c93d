import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redactUrl } from './redact-url.js';

/**
 * One line per request, written when it ends: method, URL with secrets redacted, status,
 * duration. A stream's line comes when the stream closes, so its duration is how long the client
 * was connected. Headers are never logged (Authorization and cookies carry tokens).
 */
@Injectable()
export class AccessLogMiddleware implements NestMiddleware {
  protected readonly logger = new Logger('HTTP');

  use(request: IncomingMessage & { originalUrl?: string }, response: ServerResponse, next: () => void): void {
    const started = performance.now();
    const url = redactUrl(request.originalUrl ?? request.url ?? '');
    response.once('close', () => {
      const ms = Math.round(performance.now() - started);
      const outcome = response.writableFinished ? String(response.statusCode) : `${response.statusCode} (closed early)`;
      this.logger.log(`${request.method} ${url} ${outcome} ${ms}ms`);
    });
    next();
  }
}
