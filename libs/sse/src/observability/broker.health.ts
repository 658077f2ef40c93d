import { Inject, Injectable } from '@nestjs/common';
import { loadOptionalPeer } from '../optional-peer.js';
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
 * What `isHealthy()` answers: terminus's `HealthIndicatorResult`, spelled out here so that these
 * types do not need `@nestjs/terminus` (an optional peer) installed.
 * @publicApi
 */
export type BrokerHealthIndicatorResult<Key extends string = string> = Record<
  Key,
  { status: 'up' | 'down'; [detail: string]: unknown }
>;

/** terminus's HealthIndicatorService, loaded with the first check. */
type HealthIndicators = InstanceType<(typeof import('@nestjs/terminus'))['HealthIndicatorService']>;

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
  private indicators?: HealthIndicators;

  constructor(
    @Inject(SseAdapterSet) private readonly adapters: Pick<SseAdapterSet, 'health'>,
    @Inject(SSE_RESOLVED_OPTIONS) private readonly options: Pick<ResolvedSseOptions, 'broker'>,
  ) {}

  async isHealthy<const Key extends string>(
    key: Key,
    { timeoutMs = DEFAULT_TIMEOUT_MS }: BrokerHealthCheckOptions = {},
  ): Promise<BrokerHealthIndicatorResult<Key>> {
    const session = (await this.healthIndicators()).check(key);
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

  /**
   * terminus's own indicator service, so results are shaped as terminus expects; loaded (it is
   * an optional peer) when the first check runs, which is when a host uses the indicator.
   * @throws SseMissingPeerError when `@nestjs/terminus` is not installed
   */
  private async healthIndicators(): Promise<HealthIndicators> {
    if (!this.indicators) {
      const terminus = await loadOptionalPeer('@nestjs/terminus', 'BrokerHealthIndicator', () => import('@nestjs/terminus'));
      this.indicators = new terminus.HealthIndicatorService();
    }
    return this.indicators;
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
