import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CloseReason } from '../application/hub-lifecycle-events.js';
import type { HubObserver, ReplayOutcome } from '../application/hub-observer.js';
import type { EventTargetKind } from '../domain/index.js';

const CLOSE_REASONS: readonly CloseReason[] = ['client_left', 'too_slow', 'shutdown', 'token_expired'];
const TARGET_KINDS: readonly EventTargetKind[] = ['client', 'topic', 'broadcast'];
const REPLAY_OUTCOMES: readonly ReplayOutcome[] = ['recovered', 'incomplete'];

/** From half a millisecond (in-process fan-out) to seconds (a broker in trouble). */
const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The hub's Prometheus instruments, in a registry of their own: never prom-client's global one,
 * so several apps in one process (tests, or a host running two hubs) do not collide, and a host
 * decides how to expose them (merge `registry` into its own, or serve `metrics()`).
 * Every series with a label is created at zero, so dashboards and alerts see it before the
 * first event (a `too_slow` alert must not wait for the first slow client to exist).
 * This file is the only one that imports `prom-client`, an optional peer: `SseMetricsService`
 * loads it only with `metrics: true`.
 * @internal
 */
export class PrometheusHubMetrics implements HubObserver {
  readonly registry = new Registry();

  private readonly open = new Gauge({
    name: 'sse_connections_open',
    help: 'Streams open on this instance',
    registers: [this.registry],
  });
  private readonly opened = new Counter({
    name: 'sse_connections_opened_total',
    help: 'Streams opened on this instance',
    registers: [this.registry],
  });
  private readonly closed = new Counter({
    name: 'sse_connections_closed_total',
    help: 'Streams of this instance that ended, by reason (too_slow: its queue passed the bound)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly retryAnswers = new Counter({
    name: 'sse_stream_retry_answers_total',
    help: 'GET /sse answered 200 with only a retry delay (the client did nothing wrong), by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly published = new Counter({
    name: 'sse_events_published_total',
    help: 'Events published through this instance, by target kind',
    labelNames: ['target'] as const,
    registers: [this.registry],
  });
  private readonly delivered = new Counter({
    name: 'sse_events_delivered_total',
    help: 'Live events written to streams of this instance (one per stream that took one)',
    registers: [this.registry],
  });
  private readonly replays = new Counter({
    name: 'sse_replays_total',
    help: 'Resumes with Last-Event-ID, by outcome (incomplete: history did not reach back)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly replayedEvents = new Counter({
    name: 'sse_replayed_events_total',
    help: 'Events sent from history to resuming streams',
    registers: [this.registry],
  });
  private readonly publishLatency = new Histogram({
    name: 'sse_publish_to_write_seconds',
    help: "From a publish call on this instance to its event written to this instance's streams",
    buckets: LATENCY_BUCKETS_SECONDS,
    registers: [this.registry],
  });

  constructor() {
    CLOSE_REASONS.forEach((reason) => this.closed.inc({ reason }, 0));
    TARGET_KINDS.forEach((target) => this.published.inc({ target }, 0));
    REPLAY_OUTCOMES.forEach((outcome) => this.replays.inc({ outcome }, 0));
  }

  /** The Content-Type of `metrics()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The hub's metrics in Prometheus text format. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  connectionOpened(): void {
    this.opened.inc();
    this.open.inc();
  }

  connectionClosed(reason: CloseReason): void {
    this.closed.inc({ reason });
    this.open.dec();
  }

  streamRetryAnswered(reason: string): void {
    this.retryAnswers.inc({ reason });
  }

  eventPublished(target: EventTargetKind, seconds: number): void {
    this.published.inc({ target });
    this.publishLatency.observe(seconds);
  }

  eventDelivered(connections: number): void {
    if (connections > 0) {
      this.delivered.inc(connections);
    }
  }

  replayed(outcome: ReplayOutcome, events: number): void {
    this.replays.inc({ outcome });
    if (events > 0) {
      this.replayedEvents.inc(events);
    }
  }
}
