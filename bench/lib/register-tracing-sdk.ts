/**
 * Preloaded (`node --import`) into the `hub-traced` target: registers an OpenTelemetry SDK the
 * way a host app's tracing set-up does (global provider, W3C propagator, AsyncLocalStorage
 * context, batch processor, every span sampled), with an exporter that drops the spans, so the
 * bench measures what recording the hub's spans costs, without a network in the way.
 */
import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor, NodeTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-node';

const discard: SpanExporter = {
  export: (_spans: ReadableSpan[], done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: () => Promise.resolve(),
};

new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(discard)] }).register();
