import { Inject, Injectable } from '@nestjs/common';
import {
  EventHistory,
  SubscriptionRegistry,
  TooManyTopicsError,
  TopicNotAllowedError,
  isTopicAllowed,
  parseTopics,
  type ClientPrincipal,
  type Subscription,
  type Topic,
} from '../domain/index.js';
import { HubSettings } from './hub-settings.js';

/** Whose topics a request reads or changes, and what its token lets it see of them. */
export type TopicsCaller = Pick<ClientPrincipal, 'clientId' | 'topicPatterns'>;

/**
 * Subscribing and unsubscribing topics for a client id. A whole request is checked before
 * anything changes, so a bad topic in a list leaves the client's topics as they were.
 *
 * Subscriptions belong to the client id, shared by all its tokens; each request sees and changes
 * only the topics its own token's `topics` claim allows, so a token narrowed after a wider one
 * subscribed neither lists nor removes the wider topics (and its streams do not receive them).
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
  async subscribe(principal: TopicsCaller, topics: readonly unknown[]): Promise<Topic[]> {
    const wanted = allowedOrThrow(principal, parseTopics(topics));
    const held = await this.registry.list(principal.clientId);
    const heldTopics = new Set(held.map((subscription) => subscription.topic));
    const fresh = wanted.filter((topic) => !heldTopics.has(topic));
    if (heldTopics.size + fresh.length > this.settings.maxTopicsPerClient) {
      throw new TooManyTopicsError(this.settings.maxTopicsPerClient);
    }
    if (fresh.length === 0) {
      return visibleTo(principal, held);
    }
    // Entitled from the newest event on: replays never hand out older events of these topics.
    const since = await this.history.headId();
    const all = await this.registry.add(
      principal.clientId,
      fresh.map((topic): Subscription => ({ topic, since })),
    );
    return visibleTo(principal, all);
  }

  /**
   * Unsubscribes the client from topics its token allows; one it does not is refused (403), as
   * subscribing to it would be, and nothing changes.
   * @throws InvalidTopicError, TopicNotAllowedError
   */
  async unsubscribe(principal: TopicsCaller, topics: readonly unknown[]): Promise<Topic[]> {
    const unwanted = allowedOrThrow(principal, parseTopics(topics));
    const left = await this.registry.remove(principal.clientId, unwanted);
    return visibleTo(principal, left);
  }

  /** The client's topics that the caller's token allows. */
  async list(principal: TopicsCaller): Promise<Topic[]> {
    return visibleTo(principal, await this.registry.list(principal.clientId));
  }
}

/** @throws TopicNotAllowedError naming the first topic outside the caller's patterns */
function allowedOrThrow(principal: TopicsCaller, topics: Topic[]): Topic[] {
  const forbidden = topics.find((topic) => !isTopicAllowed(principal.topicPatterns, topic));
  if (forbidden !== undefined) {
    throw new TopicNotAllowedError(forbidden);
  }
  return topics;
}

function visibleTo(principal: TopicsCaller, subscriptions: readonly Subscription[]): Topic[] {
  return subscriptions
    .map((subscription) => subscription.topic)
    .filter((topic) => isTopicAllowed(principal.topicPatterns, topic));
}
