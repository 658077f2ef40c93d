import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { OpenTelemetryHubTracer } from '../observability/open-telemetry-hub-tracer.js';

/**
 * Runs a publish request in the trace its `traceparent` header names, so the publish span joins
 * the publisher's trace even when the host app has no HTTP instrumentation (with one, its server
 * span is already active and is the parent instead).
 */
@Injectable()
export class TraceContextMiddleware implements NestMiddleware {
  constructor(private readonly tracer: OpenTelemetryHubTracer) {}

  use(request: IncomingMessage, _response: unknown, next: () => void): void {
    this.tracer.withRequestContext(request.headers, next);
  }
}
