import { Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientAddressOf, principalOf } from 'nestjs-sse-hub';
import { redactUrl } from './redact-url.js';
import { traceIdOf } from './trace-id.js';

const logger = new Logger('HTTP');

/** One request, as the access log records it. */
export interface AccessLogEntry {
  readonly method: string;
  /** The URL as it arrived, secrets redacted. */
  readonly path: string;
  readonly status: number;
  /** False when the connection closed before the response was complete. */
  readonly finished: boolean;
  readonly durationMs: number;
  /** The client's address, through trusted proxies (`TRUST_PROXY`). */
  readonly address?: string;
  /** The authenticated client, once known. */
  readonly clientId?: string;
  /** From the active span, or the request's `traceparent`. */
  readonly traceId?: string;
}

type Middleware = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

/**
 * Access log middleware: one entry per request, written when it ends: method, URL with secrets
 * redacted, status, duration, the client once authenticated and the trace id. A stream's entry
 * comes when the stream closes, so its duration is how long the client was connected. Headers are
 * never logged (Authorization and cookies carry tokens). With `json` the entry is logged as an
 * object (Nest's JSON logger writes it under `message`), otherwise as one line of text.
 *
 * The app installs it twice: with `app.use()` for the routes Express serves, and as the hub's
 * `streamMiddleware` for `GET /sse`, which the HTTP server answers ahead of Express.
 */
export function accessLog(format: 'json' | 'text'): Middleware {
  return (request, response, next) => {
    const started = performance.now();
    // Read now: Express rewrites `request.url` later for mounted routers.
    const path = redactUrl(request.url ?? '');
    const traceId = traceIdOf(request.headers);
    response.once('close', () => {
      const entry: AccessLogEntry = {
        method: request.method ?? '',
        path,
        status: response.statusCode,
        finished: response.writableFinished,
        durationMs: Math.round(performance.now() - started),
        address: clientAddressOf(request),
        clientId: principalOf(request)?.clientId,
        traceId,
      };
      logger.log(format === 'json' ? entry : asText(entry));
    });
    next();
  };
}

function asText({ method, path, status, finished, durationMs, address, clientId, traceId }: AccessLogEntry): string {
  const outcome = finished ? String(status) : `${status} (closed early)`;
  const from = address === undefined ? '' : ` from=${address}`;
  const who = clientId === undefined ? '' : ` client=${clientId}`;
  const trace = traceId === undefined ? '' : ` trace=${traceId}`;
  return `${method} ${path} ${outcome} ${durationMs}ms${from}${who}${trace}`;
}
