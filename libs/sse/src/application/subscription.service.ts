import { Inject, Injectable } from '@nestjs/common';
import {
  EventHistory,
  SubscriptionRegistry,
  TooManyTopicsError,
  TopicNotAllowedError,
  isTopicAllowed,
  parseTopics,
  type ClientId,
  type ClientPrincipal,
  type Subscription,
  type Topic,
} from '../domain/index.js';
import { HubSettings } from './hub-settings.js';

/**
 * Subscribing and unsubscribing topics for a client id. A whole request is checked before
 * anything changes, so a bad topic in a list leaves the client's topics as they were.
 */
@Injectable()
export class SubscriptionService {
  constructor(
    @Inject(SubscriptionRegistry) private readonly registry: SubscriptionRegistry,
    @Inject(EventHistory) private readonly history: EventHistory,
    @Inject(HubSettings) private readonly settings: HubSettings,
  ) {}

  /**
   * Subscribes the client to topics, within its token's `topics` patterns when it has them.
   * @throws InvalidTopicError, TopicNotAllowedError, TooManyTopicsError
   */
  async subscribe(principal: Pick<ClientPrincipal, 'clientId' | 'topicPatterns'>, topics: readonly unknown[]): Promise<Topic[]> {
    const wanted = parseTopics(topics);
    const forbidden = wanted.find((topic) => !isTopicAllowed(principal.topicPatterns, topic));
    if (forbidden !== undefined) {
      throw new TopicNotAllowedError(forbidden);
    }
    const held = await this.registry.list(principal.clientId);
    const heldTopics = new Set(held.map((subscription) => subscription.topic));
    const fresh = wanted.filter((topic) => !heldTopics.has(topic));
    if (heldTopics.size + fresh.length > this.settings.maxTopicsPerClient) {
      throw new TooManyTopicsError(this.settings.maxTopicsPerClient);
    }
    if (fresh.length === 0) {
      return held.map(toTopic);
    }
    // Entitled from the newest event on: replays never hand out older events of these topics.
    const since = await this.history.headId();
    const all = await this.registry.add(
      principal.clientId,
      fresh.map((topic): Subscription => ({ topic, since })),
    );
    return all.map(toTopic);
  }

  /** @throws InvalidTopicError */
  async unsubscribe(clientId: ClientId, topics: readonly unknown[]): Promise<Topic[]> {
    const unwanted = parseTopics(topics);
    const left = await this.registry.remove(clientId, unwanted);
    return left.map(toTopic);
  }

  async list(clientId: ClientId): Promise<Topic[]> {
    return (await this.registry.list(clientId)).map(toTopic);
  }
}

const toTopic = (subscription: Subscription): Topic => subscription.topic;
