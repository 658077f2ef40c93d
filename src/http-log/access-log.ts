import { Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redactUrl } from './redact-url.js';

const logger = new Logger('HTTP');

/**
 * Access log middleware: one line per request, written when it ends: method, URL with secrets
 * redacted, status, duration. A stream's line comes when the stream closes, so its duration is
 * how long the client was connected. Headers are never logged (Authorization and cookies carry
 * tokens). The app installs it twice: with `app.use()` for the routes Express serves, and as the
 * hub's `streamMiddleware` for `GET /sse`, which the HTTP server answers ahead of Express.
 */
export function accessLog(request: IncomingMessage, response: ServerResponse, next: () => void): void {
  const started = performance.now();
  // Read now: Express rewrites `request.url` later for mounted routers.
  const url = redactUrl(request.url ?? '');
  response.once('close', () => {
    const ms = Math.round(performance.now() - started);
    const outcome = response.writableFinished ? String(response.statusCode) : `${response.statusCode} (closed early)`;
    logger.log(`${request.method} ${url} ${outcome} ${ms}ms`);
  });
  next();
}
