import type { CloseReason } from '../application/hub-lifecycle-events.js';
import type { HubObserver, ReplayOutcome } from '../application/hub-observer.js';
import type { EventTargetKind } from '../domain/index.js';
import { loadOptionalPeer } from '../optional-peer.js';
import type { ResolvedSseOptions } from '../sse-resolved-options.js';
import type { PrometheusHubMetrics } from './prometheus-hub-metrics.js';

/**
 * The registry that holds the hub's metrics: prom-client's `Registry`, typed here by what the
 * hub promises of it so that these types do not need `prom-client` (an optional peer) installed.
 * Cast it to `Registry` to merge it into your own (`Registry.merge([yours, hub.registry as Registry])`).
 * @publicApi
 */
export interface SseMetricsRegistry {
  /** The Content-Type of `metrics()`. */
  readonly contentType: string;
  /** The metrics in Prometheus text format. */
  metrics(): Promise<string>;
}

/**
 * The hub's Prometheus metrics (with `metrics: true`; see `PrometheusHubMetrics` for the
 * series). It is the module's `HubObserver`: the application layer reports to it without
 * knowing it. With metrics off it records nothing and `prom-client` is never loaded.
 * @publicApi
 */
export class SseMetricsService implements HubObserver {
  private constructor(private readonly prometheus: PrometheusHubMetrics | undefined) {}

  /**
   * The service the options ask for (an async factory provider of the module).
   * @throws SseMissingPeerError with `metrics: true` when `prom-client` is not installed
   */
  static async create(options: Pick<ResolvedSseOptions, 'metrics'>): Promise<SseMetricsService> {
    if (!options.metrics) {
      return new SseMetricsService(undefined);
    }
    await loadOptionalPeer('prom-client', 'metrics: true', () => import('prom-client'));
    const { PrometheusHubMetrics } = await import('./prometheus-hub-metrics.js');
    return new SseMetricsService(new PrometheusHubMetrics());
  }

  /** Whether metrics are on (`metrics: true`). */
  get enabled(): boolean {
    return this.prometheus !== undefined;
  }

  /** The hub's own registry (prom-client's `Registry`). @throws Error with metrics off */
  get registry(): SseMetricsRegistry {
    return this.on().registry;
  }

  /** The Content-Type of `metrics()`. @throws Error with metrics off */
  get contentType(): string {
    return this.on().registry.contentType;
  }

  /** The hub's metrics in Prometheus text format. @throws Error with metrics off */
  metrics(): Promise<string> {
    return this.on().metrics();
  }

  connectionOpened(): void {
    this.prometheus?.connectionOpened();
  }

  connectionClosed(reason: CloseReason): void {
    this.prometheus?.connectionClosed(reason);
  }

  eventPublished(target: EventTargetKind, seconds: number): void {
    this.prometheus?.eventPublished(target, seconds);
  }

  eventDelivered(connections: number): void {
    this.prometheus?.eventDelivered(connections);
  }

  replayed(outcome: ReplayOutcome, events: number): void {
    this.prometheus?.replayed(outcome, events);
  }

  /** `GET /sse` answered "come back later" (see `StreamRetryAnswers`), and why. */
  streamRetryAnswered(reason: string): void {
    this.prometheus?.streamRetryAnswered(reason);
  }

  private on(): PrometheusHubMetrics {
    if (!this.prometheus) {
      throw new Error('sse-hub: metrics are off; SseModule.forRoot({ metrics: true }) turns them on (needs prom-client)');
    }
    return this.prometheus;
  }
}
