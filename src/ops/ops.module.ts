import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { createProcessMetrics, PROCESS_METRICS } from './process-metrics.js';

/**
 * What the person on call looks at: /health and /metrics. The hub supplies the pieces
 * (`BrokerHealthIndicator`, `SseMetricsService`); the routes are the app's, as a host app
 * usually has one /health with checks of its own and one /metrics for its whole process.
 */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty' })],
  controllers: [HealthController, MetricsController],
  providers: [{ provide: PROCESS_METRICS, useFactory: createProcessMetrics }],
})
export class OpsModule {}
