import type { ClientId } from '../client-id.js';
import type { EventId } from '../event-id.js';
import type { Topic } from '../topic.js';
import type { Unsubscribe } from './unsubscribe.js';

/** Ending a client's streams everywhere (a logout, a revoked session, a ban). */
export interface DisconnectCommand {
  readonly kind: 'disconnect';
  readonly clientId: ClientId;
  /** The final event sent to the client first: each instance ends the streams once it has written it. */
  readonly after?: EventId;
  /** New streams of the client are refused until then (epoch ms), when given. */
  readonly refuseUntil?: number;
}

/** How many streams a client has open. */
export interface CountStreamsCommand {
  readonly kind: 'countStreams';
  readonly clientId: ClientId;
}

/** Which connected clients are subscribed to a topic. */
export interface TopicMembersCommand {
  readonly kind: 'topicMembers';
  readonly topic: Topic;
}

/** What every instance of the hub is asked to do or tell, and what each answers. */
export type HubCommand = DisconnectCommand | CountStreamsCommand | TopicMembersCommand;

/** Each instance's answer: streams ended or counted, or client ids. */
export type AnswerOf<C extends HubCommand> = C extends TopicMembersCommand ? ClientId[] : number;

/** What one instance does with a command. */
export type HubCommandHandler = <C extends HubCommand>(command: C) => Promise<AnswerOf<C>>;

/**
 * Commands that every instance of the hub carries out or answers, with their answers gathered:
 * the cluster-wide side of disconnecting a client and of presence.
 */
export interface ClientCommands {
  /**
   * Has every instance (this one included) run its handler on `command`; resolves with the
   * answers of those that answered within the adapter's bound.
   */
  ask<C extends HubCommand>(command: C): Promise<AnswerOf<C>[]>;
  /** This instance's handler (one per instance). */
  onCommand(handler: HubCommandHandler): Unsubscribe;
}

export const ClientCommands = Symbol('ClientCommands');
