import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SseMetricsService } from 'nestjs-sse-hub';
import { Registry } from 'prom-client';
import { PROCESS_METRICS } from './process-metrics.js';

interface HeaderSetter {
  setHeader(name: string, value: string): void;
}

/** GET /metrics: the hub's metrics and the process's, in Prometheus text. No token needed. */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  private readonly registry: Registry;

  constructor(@Inject(PROCESS_METRICS) process: Registry, hub: SseMetricsService) {
    // The hub's registry is prom-client's Registry, typed by the package without prom-client
    // (an optional peer there; the app has it, and turns metrics on in src/config/sse.config.ts).
    this.registry = Registry.merge([process, hub.registry as Registry]);
  }

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics: connections, events, replays, latency, process' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', type: String })
  async scrape(@Res({ passthrough: true }) response: HeaderSetter): Promise<string> {
    response.setHeader('Content-Type', this.registry.contentType);
    return this.registry.metrics();
  }
}
