import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import {
  SubscriptionRegistry,
  type ClientId,
  type SubscriptionChange,
  type Topic,
  type Unsubscribe,
} from '../domain/index.js';
import { HubSettings } from './hub-settings.js';
import { NotificationService } from './notification.service.js';

/** The companion topic of a topic's presence events: `presence:<topic>`. */
export const PRESENCE_TOPIC_PREFIX = 'presence:';

/**
 * Opt-in presence events (`presenceEvents: true`), as Mercure's subscription events: a client
 * that subscribes to a topic publishes `presence.join` `{ clientId, topic }` on the companion
 * topic `presence:<topic>`, and `presence.leave` when it unsubscribes or when its subscriptions
 * end a grace period after its last stream closed. A client with several tabs holds one
 * subscription, so it joins once and leaves once.
 *
 * Every instance hears every subscription change; each publishes the event with an idempotency
 * key made of the change's id, which is the same on every instance, so the hub keeps exactly one
 * (the history appends once per key).
 */
@Injectable()
export class PresenceEvents implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('SsePresenceEvents');
  private stop?: Unsubscribe;

  constructor(
    @Inject(SubscriptionRegistry) private readonly registry: SubscriptionRegistry,
    @Inject(HubSettings) private readonly settings: HubSettings,
    private readonly notifications: NotificationService,
  ) {}

  onModuleInit(): void {
    if (this.settings.presenceEvents) {
      this.stop = this.registry.watch((change) => this.onChange(change));
    }
  }

  onModuleDestroy(): void {
    this.stop?.();
  }

  private onChange(change: SubscriptionChange): void {
    switch (change.kind) {
      case 'added':
        this.announce(
          'presence.join',
          change.clientId,
          change.subscriptions.map((s) => s.topic),
          change.changeId,
        );
        break;
      case 'removed':
        this.announce('presence.leave', change.clientId, change.topics, change.changeId);
        break;
      case 'expired':
        this.announce('presence.leave', change.clientId, change.topics ?? [], change.expiryId);
        break;
    }
  }

  private announce(
    event: string,
    clientId: ClientId,
    topics: readonly Topic[],
    changeId: string | undefined,
  ): void {
    if (changeId === undefined) {
      return; // a registry that does not name its changes cannot be announced once
    }
    for (const topic of topics) {
      // No presence of presence: a watcher of `presence:a` does not announce itself.
      if (topic.startsWith(PRESENCE_TOPIC_PREFIX)) continue;
      const companion = `${PRESENCE_TOPIC_PREFIX}${topic}`;
      const key = `presence:${changeId}:${topic}`;
      // Async, so that a bad companion topic (a topic near the length limit) rejects, not throws.
      void (async () =>
        this.notifications.sendToTopic(
          companion,
          event,
          { clientId, topic },
          { idempotencyKey: key },
        ))().catch((error: unknown) =>
        this.logger.warn(`Could not publish ${event} of ${clientId} on ${topic}: ${String(error)}`),
      );
    }
  }
}
