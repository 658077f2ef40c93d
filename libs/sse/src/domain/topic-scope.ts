import { isTopicAllowed } from './topic-pattern.js';
import type { Topic } from './topic.js';

/**
 * What one token lets its holder see of its client's topics. Subscriptions belong to the client
 * id and are shared by all its tokens, so a connection or request opened with a narrower token
 * (a `topics` claim) must not see the topics a wider token subscribed.
 *
 * A connection asks for every topic event of its client, so each topic's decision is taken once
 * and kept: a topic event then costs one map lookup per narrowed connection, and nothing for a
 * token without the claim. The kept decisions are a subset of the client's current topics (the
 * fan-out only asks about those, and `forget` drops them as they are removed), so they stay within
 * the per-client topic limit.
 */
export class TopicScope {
  /** Every topic: a token without a `topics` claim. */
  static readonly UNRESTRICTED = new TopicScope(undefined);

  private readonly decided = new Map<Topic, boolean>();

  private constructor(private readonly patterns: readonly string[] | undefined) {}

  /** The scope of a token's `topics` patterns; undefined (no claim) allows every topic. */
  static of(patterns: readonly string[] | undefined): TopicScope {
    return patterns === undefined ? TopicScope.UNRESTRICTED : new TopicScope(patterns);
  }

  get isRestricted(): boolean {
    return this.patterns !== undefined;
  }

  allows(topic: Topic): boolean {
    if (this.patterns === undefined) {
      return true;
    }
    let allowed = this.decided.get(topic);
    if (allowed === undefined) {
      allowed = isTopicAllowed(this.patterns, topic);
      this.decided.set(topic, allowed);
    }
    return allowed;
  }

  /** Drops kept decisions of topics the client no longer holds (all of them without an argument). */
  forget(topics?: Iterable<Topic>): void {
    if (topics === undefined) {
      this.decided.clear();
      return;
    }
    for (const topic of topics) {
      this.decided.delete(topic);
    }
  }

  /** How many decisions are kept (for tests of the bound). */
  get decisions(): number {
    return this.decided.size;
  }
}
