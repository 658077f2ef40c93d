import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Injectable } from '@nestjs/common';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  context,
  propagation,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { HubTracer, PublishTraceInfo, TracedReceipt } from '../application/hub-tracer.js';
import type { ClientId, HubEvent, TraceContext } from '../domain/index.js';

/** The instrumentation scope of every span the hub records. */
export const SSE_TRACER_NAME = 'nestjs-sse-hub';

/** How a stream's set-up ended, for its span. */
export interface StreamSetupOutcome {
  /** Only when the client resumed: whether every later event was replayed. */
  readonly recovered?: boolean;
  readonly replayed: number;
}

/** The span of one stream's set-up, and the trace id its later outcomes are logged with. */
export interface StreamSetupTrace {
  /** Undefined when nobody traces. */
  readonly traceId: string | undefined;
  succeeded(outcome: StreamSetupOutcome): void;
  failed(error: unknown): void;
}

const UNTRACED_SETUP: StreamSetupTrace = Object.freeze({
  traceId: undefined,
  succeeded: () => undefined,
  failed: () => undefined,
});

/**
 * The hub's spans, through `@opentelemetry/api` only: a host app that registers an SDK gets them,
 * one that does not gets the API's no-op tracer (no span is built and no context is carried with
 * the events, so an untraced event costs a no-op call per publish and nothing per fan-out).
 *
 * - `sse.publish` (producer): one per publish, a child of the caller's active span or of the
 *   request's `traceparent`; its context travels with the event through the broker.
 * - `sse.fanout` (consumer): one per event and instance, linked to the publish (a link, not a
 *   child: the fan-out runs on every instance and long after the publish span ended), with the
 *   number of streams reached. Never one per connection: that would cost more than the delivery.
 * - `sse.stream.setup` (server): one per stream, with the replay's size and whether it recovered.
 */
@Injectable()
export class OpenTelemetryHubTracer implements HubTracer {
  private readonly tracer = trace.getTracer(SSE_TRACER_NAME);
  /** Which instance recorded a span, so a fan-out on each instance can be told apart. */
  readonly instanceId = randomUUID();

  publish<R extends TracedReceipt>(
    info: PublishTraceInfo,
    publish: (trace: TraceContext | undefined) => Promise<R>,
  ): Promise<R> {
    return this.tracer.startActiveSpan(
      'sse.publish',
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'sse-hub',
          'messaging.operation.type': 'send',
          'sse.target': info.target,
          'sse.event.type': info.type,
          'sse.instance': this.instanceId,
        },
      },
      async (span) => {
        try {
          const receipt = await publish(injectedTraceContext(context.active()));
          span.setAttributes({ 'messaging.message.id': receipt.id, 'sse.streams_reached_here': receipt.delivered });
          return receipt;
        } catch (error) {
          recordFailure(span, error);
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  fanout(event: HubEvent, deliver: () => number): number {
    if (event.traceContext === undefined) {
      return deliver();
    }
    const published = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, event.traceContext));
    if (published === undefined || (published.traceFlags & TraceFlags.SAMPLED) === 0) {
      // The publish was not sampled: its fan-out is not recorded either.
      return deliver();
    }
    const span = this.tracer.startSpan(
      'sse.fanout',
      {
        kind: SpanKind.CONSUMER,
        links: [{ context: published }],
        attributes: {
          'messaging.system': 'sse-hub',
          'messaging.operation.type': 'process',
          'messaging.message.id': event.id,
          'sse.target': event.target.kind,
          'sse.event.type': event.type,
          'sse.instance': this.instanceId,
          // Ids start with the accepting clock's millisecond: how long the event took to get
          // here (through the broker, on another instance), give or take the clocks' skew.
          'sse.event.age_ms': Math.max(0, Date.now() - Number.parseInt(event.id, 10)),
        },
      },
      ROOT_CONTEXT,
    );
    try {
      const delivered = deliver();
      span.setAttribute('sse.streams_reached', delivered);
      return delivered;
    } catch (error) {
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /**
   * Starts the span of a stream's set-up, a child of the request's trace (`traceparent`) or of
   * whatever span is active (an HTTP instrumentation's).
   */
  streamSetup(headers: IncomingHttpHeaders, clientId: ClientId, resuming: boolean): StreamSetupTrace {
    const parent = trace.getSpan(context.active()) ? context.active() : propagation.extract(ROOT_CONTEXT, headers);
    const span = this.tracer.startSpan(
      'sse.stream.setup',
      {
        kind: SpanKind.SERVER,
        attributes: { 'sse.client_id': clientId, 'sse.resuming': resuming, 'sse.instance': this.instanceId },
      },
      parent,
    );
    if (!span.isRecording()) {
      return UNTRACED_SETUP;
    }
    return {
      traceId: span.spanContext().traceId,
      succeeded: ({ recovered, replayed }) => {
        span.setAttribute('sse.replay.events', replayed);
        if (recovered !== undefined) {
          span.setAttribute('sse.replay.recovered', recovered);
          if (!recovered) span.addEvent('replay incomplete: history no longer reached back');
        }
        span.end();
      },
      failed: (error) => {
        recordFailure(span, error);
        span.end();
      },
    };
  }

  /** Runs `work` as a child of the request's `traceparent`, unless a span is already active. */
  withRequestContext<T>(headers: IncomingHttpHeaders, work: () => T): T {
    if (trace.getSpan(context.active())) {
      return work();
    }
    return context.with(propagation.extract(ROOT_CONTEXT, headers), work);
  }
}

/** The propagation fields of `active`, or undefined when there are none (nobody traces). */
function injectedTraceContext(active: Context): TraceContext | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  for (const _ in carrier) return carrier;
  return undefined;
}

function recordFailure(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
