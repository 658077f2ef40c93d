import type { SpanProcessor } from '@opentelemetry/sdk-trace-node';

/** The standard variables that say where traces go (the OpenTelemetry SDK's own names). */
const OTLP_ENDPOINT_VARIABLES = ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'] as const;

/** Whether the environment asks for traces to be exported with OTLP. */
export const otlpTracingEnabled = (env: NodeJS.ProcessEnv): boolean =>
  OTLP_ENDPOINT_VARIABLES.some((name) => (env[name] ?? '') !== '') && env.OTEL_SDK_DISABLED !== 'true';

/** Flushes what is buffered and stops exporting. */
export type StopTracing = () => Promise<void>;

/**
 * Registers an OpenTelemetry SDK that exports the hub's spans (and any other span of the process)
 * with OTLP over HTTP, as the standard `OTEL_*` variables configure it (endpoint, headers,
 * `OTEL_SERVICE_NAME`, `OTEL_BSP_*`). Loaded only when asked for: without an endpoint the app
 * keeps the API's no-op tracer and pays nothing.
 */
export async function startOtlpTracing(env: NodeJS.ProcessEnv): Promise<StopTracing | undefined> {
  if (!otlpTracingEnabled(env)) {
    return undefined;
  }
  const [{ BatchSpanProcessor, NodeTracerProvider }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
  const processor: SpanProcessor = new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || 'sse-hub' }),
    spanProcessors: [processor],
  });
  // Global tracer, W3C trace-context propagator and an AsyncLocalStorage context manager.
  provider.register();
  return () => provider.shutdown();
}
