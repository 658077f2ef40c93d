import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { BrokerHealth, TransportHealth } from '../domain/index.js';
import { SseAdapterSet } from '../sse-adapter-set.js';
import { SSE_RESOLVED_OPTIONS, type ResolvedSseOptions } from '../sse-resolved-options.js';

export interface BrokerHealthCheckOptions {
  /**
   * A broker that does not answer within this time is reported down: a health check that hangs
   * is worse than one that fails, since the orchestrator's probe times out without a reason.
   * @default 2000
   */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 2_000;

/**
 * A terminus health indicator for the hub's broker, backed by the adapters' optional
 * `TransportHealth` (Mercure's TransportHealthChecker). The in-memory broker has none: it lives
 * in the process, so it is up whenever the process can answer.
 *
 * ```ts
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.broker.isHealthy('broker')]); }
 * ```
 * @publicApi
 */
@Injectable()
export class BrokerHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(SseAdapterSet) private readonly adapters: Pick<SseAdapterSet, 'health'>,
    @Inject(SSE_RESOLVED_OPTIONS) private readonly options: Pick<ResolvedSseOptions, 'broker'>,
  ) {}

  async isHealthy<const Key extends string>(
    key: Key,
    { timeoutMs = DEFAULT_TIMEOUT_MS }: BrokerHealthCheckOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const session = this.indicators.check(key);
    const broker = this.options.broker;
    const checker = this.adapters.health;
    if (!checker) {
      return session.up({ broker });
    }
    const health = await checkWithin(checker, timeoutMs);
    // `status` is terminus's own key in the result; an adapter's detail must not overwrite it.
    const { status: _reserved, ...details } = health.details ?? {};
    return health.up ? session.up({ ...details, broker }) : session.down({ ...details, broker });
  }
}

/** The checker's answer, or "down" with a reason when it throws or does not answer in time. */
async function checkWithin(checker: TransportHealth, timeoutMs: number): Promise<BrokerHealth> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<BrokerHealth>((resolve) => {
    timer = setTimeout(
      () => resolve({ up: false, details: { message: `no answer within ${timeoutMs} ms` } }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      checker.checkHealth().catch(
        (error: unknown): BrokerHealth => ({
          up: false,
          // Only the error's name: broker messages can carry a connection URL with a password.
          details: { message: `health check failed (${error instanceof Error ? error.name : 'error'})` },
        }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
