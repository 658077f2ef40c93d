import type { IncomingHttpHeaders } from 'node:http';
import { ROOT_CONTEXT, context, defaultTextMapGetter, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

const w3c = new W3CTraceContextPropagator();

/**
 * The trace a request belongs to: the active span's (when an SDK with HTTP instrumentation is
 * registered), else the one its `traceparent` header names, checked by the W3C propagator
 * (whether or not an SDK is registered, so logs carry the caller's trace id either way).
 */
export function traceIdOf(headers: IncomingHttpHeaders): string | undefined {
  const active = trace.getSpan(context.active())?.spanContext();
  if (active && trace.isSpanContextValid(active)) {
    return active.traceId;
  }
  if (headers.traceparent === undefined) {
    return undefined;
  }
  return trace.getSpanContext(w3c.extract(ROOT_CONTEXT, headers, defaultTextMapGetter))?.traceId;
}
