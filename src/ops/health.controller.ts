import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { BrokerHealthIndicator } from 'nestjs-sse-hub';

/**
 * GET /health: 200 `{ status: 'ok', info: { broker: … } }`, or 503 with the broker down (a load
 * balancer then stops sending new streams here). No token needed.
 */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly broker: BrokerHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: "The app's health, with the broker's state" })
  check() {
    return this.health.check([() => this.broker.isHealthy('broker')]);
  }
}
