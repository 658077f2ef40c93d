import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { startOtlpTracing, type StopTracing } from './otlp-tracing.js';

const STOP_TRACING = Symbol('StopTracing');

/**
 * OTLP trace export when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (see `startOtlpTracing`), flushed
 * when the app shuts down so the last spans are not lost with the process.
 */
@Module({})
export class TracingModule implements OnApplicationShutdown {
  constructor(@Inject(STOP_TRACING) private readonly stop: StopTracing | undefined) {}

  static forRoot(env: NodeJS.ProcessEnv): DynamicModule {
    return {
      module: TracingModule,
      providers: [{ provide: STOP_TRACING, useFactory: () => startOtlpTracing(env) }],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop?.();
  }
}
