import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { NotificationService } from 'nestjs-sse-hub';

/** The topic and event type of the feed; the demo page subscribes to it. */
export const DEMO_METRICS_TOPIC = 'demo/metrics';
export const DEMO_METRICS_EVENT = 'metrics';

export const DEMO_FEED_INTERVAL_MS = Symbol('DemoFeedIntervalMs');

/** What one tick of the feed publishes. */
export interface DemoFigures {
  readonly instance: string;
  readonly at: string;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  readonly openConnections: number;
  readonly uptimeSeconds: number;
}

/**
 * Publishes this process's own figures on `demo/metrics` every few seconds, so the demo page
 * has something live to show. It is an ordinary host-app publisher: it only uses
 * `NotificationService`, as any app would.
 */
@Injectable()
export class DemoFeedService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('DemoFeed');
  private readonly instance = `${hostname()}:${process.pid}`;
  private timer?: NodeJS.Timeout;
  private failing = false;

  constructor(
    private readonly notifications: NotificationService,
    @Inject(DEMO_FEED_INTERVAL_MS) private readonly intervalMs: number,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  figures(): DemoFigures {
    const memory = process.memoryUsage();
    return {
      instance: this.instance,
      at: new Date().toISOString(),
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      openConnections: this.notifications.openConnections,
      uptimeSeconds: Math.round(process.uptime()),
    };
  }

  private async tick(): Promise<void> {
    try {
      await this.notifications.sendToTopic(DEMO_METRICS_TOPIC, DEMO_METRICS_EVENT, this.figures());
      if (this.failing) {
        this.logger.log('Publishing demo figures again');
        this.failing = false;
      }
    } catch (error) {
      // Once per outage, not every tick: a broker that is down is already reported by /health.
      if (!this.failing && this.timer) {
        this.logger.warn(`Could not publish demo figures: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.failing = true;
    }
  }
}
