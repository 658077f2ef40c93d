import { Inject, Injectable } from '@nestjs/common';
import {
  BEGINNING,
  EventHistory,
  PUBLISHER_ROLE,
  TopicNotAllowedError,
  compareEventIds,
  isTopicAllowed,
  InvalidEventIdError,
  isEventId,
  parseTopic,
  type ClientPrincipal,
  type EventId,
  type HubEvent,
  type Topic,
} from '../domain/index.js';
import { HubSettings } from './hub-settings.js';

/** Events read from the history per round while looking for a topic's events. */
const SCAN_PAGE = 500;

/**
 * One event of a topic's history, as the stream would show it.
 * @publicApi
 */
export interface TopicHistoryEvent {
  readonly id: string;
  readonly event: string;
  readonly data: unknown;
}

/**
 * A page of a topic's history, oldest first. `next` is where to go on from when there may be more:
 * the `after` of the next page, or with `before` the `before` of the older page.
 * @publicApi
 */
export interface TopicHistoryPage {
  readonly events: TopicHistoryEvent[];
  readonly next?: string;
}

/** Where a page starts: after an id (newer events), or before one (older events). */
export type TopicHistoryCursor = {
  readonly after?: string;
  readonly before?: string;
  readonly limit: number;
};

/**
 * A topic's events still in history, for a first render before the stream opens (the ids are the
 * stream's, so the stream can resume after the newest one shown). Works on any `EventHistory` by
 * reading it in order and keeping the topic's events: a page costs at most one pass over the
 * history (`historySize` events), which the history's bound keeps bounded.
 */
@Injectable()
export class TopicHistoryService {
  constructor(
    @Inject(EventHistory) private readonly history: EventHistory,
    @Inject(HubSettings) private readonly settings: HubSettings,
  ) {}

  /**
   * @throws InvalidTopicError, InvalidEventIdError (a cursor that is no event id),
   *   TopicNotAllowedError (a topic outside the caller's `topics` claim; publishers see all),
   *   BrokerUnavailableError
   */
  async read(
    principal: ClientPrincipal,
    rawTopic: string,
    cursor: TopicHistoryCursor,
  ): Promise<TopicHistoryPage> {
    const topic = parseTopic(rawTopic);
    if (
      !principal.roles.includes(PUBLISHER_ROLE) &&
      !isTopicAllowed(principal.topicPatterns, topic)
    ) {
      throw new TopicNotAllowedError(topic);
    }
    if (cursor.before !== undefined) {
      return this.before(topic, cursorId(cursor.before), cursor.limit);
    }
    return this.after(
      topic,
      cursor.after === undefined ? BEGINNING : cursorId(cursor.after),
      cursor.limit,
    );
  }

  private async after(topic: Topic, after: EventId, limit: number): Promise<TopicHistoryPage> {
    const found: HubEvent[] = [];
    let position = after;
    for (let scanned = 0; scanned < this.settings.historySize;) {
      const { events } = await this.history.readAfter(position, SCAN_PAGE);
      for (const event of events) {
        if (isOfTopic(event, topic)) {
          found.push(event);
          if (found.length === limit) {
            return { events: found.map(shown), next: event.id };
          }
        }
      }
      if (events.length < SCAN_PAGE) break;
      scanned += events.length;
      position = events[events.length - 1].id;
    }
    return { events: found.map(shown) };
  }

  /** The newest `limit` events of the topic older than `before`: one pass from the oldest kept. */
  private async before(topic: Topic, before: EventId, limit: number): Promise<TopicHistoryPage> {
    const found: HubEvent[] = [];
    let position: EventId = BEGINNING;
    let olderLeft = false;
    for (let scanned = 0; scanned < this.settings.historySize;) {
      const { events } = await this.history.readAfter(position, SCAN_PAGE);
      for (const event of events) {
        if (compareEventIds(event.id, before) >= 0) {
          return page(found, olderLeft);
        }
        if (isOfTopic(event, topic)) {
          found.push(event);
          if (found.length > limit) {
            found.shift();
            olderLeft = true;
          }
        }
      }
      if (events.length < SCAN_PAGE) break;
      scanned += events.length;
      position = events[events.length - 1].id;
    }
    return page(found, olderLeft);
  }
}

/** @throws InvalidEventIdError for a cursor that is not an event id */
function cursorId(raw: string): EventId {
  if (!isEventId(raw)) {
    throw new InvalidEventIdError();
  }
  return raw;
}

function page(found: HubEvent[], olderLeft: boolean): TopicHistoryPage {
  return olderLeft && found.length > 0
    ? { events: found.map(shown), next: found[0].id }
    : { events: found.map(shown) };
}

function isOfTopic(event: HubEvent, topic: Topic): boolean {
  return event.target.kind === 'topic' && event.target.topic === topic;
}

function shown(event: HubEvent): TopicHistoryEvent {
  return { id: event.id, event: event.type, data: event.data };
}
