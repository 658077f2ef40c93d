import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type {
  ClientCommands,
  ClientId,
  DisconnectCommand,
  DisconnectHandler,
  Unsubscribe,
} from '../../domain/index.js';
import { toBrokerError } from './redis-broker-error.js';
import type { RedisConnections } from './redis-connections.js';

/** How long a command waits for the other instances' answers. */
const ANSWER_TIMEOUT_MS = 2_000;

interface CommandMessage {
  readonly requestId: string;
  readonly clientId: string;
  readonly after?: string;
  readonly refuseUntil?: number;
}

interface ReplyMessage {
  readonly requestId: string;
  readonly streams: number;
}

/** A command of this instance waiting for its answers. */
interface Waiting {
  /** Instances the command reached (PUBLISH's count), once known. */
  expected?: number;
  answers: number;
  streams: number;
  done: () => void;
}

/**
 * Client commands over Redis pub/sub, on a connection of their own (a subscribed connection can
 * do nothing else): a command is published to every instance, each runs its handler and
 * publishes its answer, and the caller sums the answers of the instances the command reached
 * (PUBLISH says how many), waiting at most `ANSWER_TIMEOUT_MS`. Pub/sub delivers to the instances
 * connected at that moment; one that is away has no streams to end (they went with its Redis
 * connection... or they are still open there: the count then misses them, and the caller is told
 * only what was answered).
 * @internal
 */
export class RedisClientCommandsAdapter implements ClientCommands {
  private readonly logger = new Logger('SseRedisCommands');
  private readonly subscriber: Redis;
  private handler?: DisconnectHandler;
  private readonly waiting = new Map<string, Waiting>();
  private readonly subscribed: Promise<unknown>;

  constructor(private readonly redis: RedisConnections) {
    this.subscriber = redis.publisher.duplicate({
      enableOfflineQueue: true,
      commandTimeout: undefined,
      connectionName: 'sse-hub:commands',
    });
    this.subscriber.on('error', () => undefined); // the publisher's health check reports Redis
    this.subscriber.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    this.subscribed = this.subscriber.subscribe(redis.keys.commands, redis.keys.commandReplies).catch(() => undefined);
  }

  async disconnect(command: DisconnectCommand): Promise<number> {
    await this.subscribed;
    const requestId = randomUUID();
    const message: CommandMessage = {
      requestId,
      clientId: command.clientId,
      after: command.after,
      refuseUntil: command.refuseUntil,
    };
    let finish!: () => void;
    const answered = new Promise<void>((resolve) => (finish = resolve));
    const waiting: Waiting = { answers: 0, streams: 0, done: finish };
    this.waiting.set(requestId, waiting);
    try {
      waiting.expected = await this.redis.publisher.publish(this.redis.keys.commands, JSON.stringify(message));
      if (waiting.answers >= waiting.expected) finish();
      const timer = setTimeout(finish, ANSWER_TIMEOUT_MS);
      await answered;
      clearTimeout(timer);
      return waiting.streams;
    } catch (error) {
      throw toBrokerError(error);
    } finally {
      this.waiting.delete(requestId);
    }
  }

  onDisconnect(handler: DisconnectHandler): Unsubscribe {
    this.handler = handler;
    return () => {
      if (this.handler === handler) this.handler = undefined;
    };
  }

  close(): void {
    this.subscriber.disconnect();
  }

  private onMessage(channel: string, message: string): void {
    try {
      if (channel === this.redis.keys.commands) {
        void this.run(JSON.parse(message) as CommandMessage);
      } else if (channel === this.redis.keys.commandReplies) {
        this.collect(JSON.parse(message) as ReplyMessage);
      }
    } catch (error) {
      this.logger.warn(`Skipped a message on ${channel} that could not be read: ${String(error)}`);
    }
  }

  private async run(command: CommandMessage): Promise<void> {
    const streams = this.handler
      ? await this.handler({
          clientId: command.clientId as ClientId,
          after: command.after,
          refuseUntil: command.refuseUntil,
        }).catch(() => 0)
      : 0;
    const reply: ReplyMessage = { requestId: command.requestId, streams };
    await this.redis.publisher.publish(this.redis.keys.commandReplies, JSON.stringify(reply)).catch(() => undefined);
  }

  private collect(reply: ReplyMessage): void {
    const waiting = this.waiting.get(reply.requestId);
    if (!waiting) return;
    waiting.answers++;
    waiting.streams += Number(reply.streams) || 0;
    if (waiting.expected !== undefined && waiting.answers >= waiting.expected) waiting.done();
  }
}
