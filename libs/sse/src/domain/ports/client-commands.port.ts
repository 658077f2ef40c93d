import type { ClientId } from '../client-id.js';
import type { EventId } from '../event-id.js';
import type { Unsubscribe } from './unsubscribe.js';

/** Ending a client's streams everywhere (a logout, a revoked session, a ban). */
export interface DisconnectCommand {
  readonly clientId: ClientId;
  /** The final event sent to the client first: each instance ends the streams once it has written it. */
  readonly after?: EventId;
  /** New streams of the client are refused until then (epoch ms), when given. */
  readonly refuseUntil?: number;
}

/** What one instance does with a command: ends the client's streams there and says how many. */
export type DisconnectHandler = (command: DisconnectCommand) => Promise<number>;

/**
 * Commands about clients that every instance of the hub must carry out, with their answers
 * gathered: the cluster-wide side of `NotificationService.disconnect`.
 */
export interface ClientCommands {
  /**
   * Has every instance (this one included) run its handler; resolves with the sum of the streams
   * they ended, counting the instances that answered within the adapter's bound.
   */
  disconnect(command: DisconnectCommand): Promise<number>;
  /** This instance's handler (one per instance). */
  onDisconnect(handler: DisconnectHandler): Unsubscribe;
}

export const ClientCommands = Symbol('ClientCommands');
