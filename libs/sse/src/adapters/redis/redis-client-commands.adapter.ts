import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AnswerOf, ClientCommands, HubCommand, HubCommandHandler, Unsubscribe } from '../../domain/index.js';
import { toBrokerError } from './redis-broker-error.js';
import type { RedisConnections } from './redis-connections.js';
import type { RedisClient } from './redis-topology.js';

/** How long a command waits for the other instances' answers. */
const ANSWER_TIMEOUT_MS = 2_000;

interface CommandMessage {
  readonly requestId: string;
  readonly command: HubCommand;
}

interface ReplyMessage {
  readonly requestId: string;
  readonly answer: unknown;
}

/** A command of this instance waiting for its answers. */
interface Waiting {
  /** Instances the command reached (PUBLISH's count), once known. */
  expected?: number;
  /** Instances that answered, with an answer or without (no handler, or it failed). */
  replies: number;
  readonly answers: unknown[];
  done: () => void;
}

/**
 * Hub commands over Redis pub/sub, on a connection of their own (a subscribed connection can do
 * nothing else): a command is published to every instance, each runs its handler and publishes
 * its answer, and the caller gathers the answers of the instances the command reached (PUBLISH
 * says how many), waiting at most `ANSWER_TIMEOUT_MS`. Pub/sub reaches the instances connected to
 * Redis at that moment: one cut off from Redis neither acts nor answers, and what it holds is
 * missing from the answers (the caller is told only what was answered).
 * @internal
 */
export class RedisClientCommandsAdapter implements ClientCommands {
  private readonly logger = new Logger('SseRedisCommands');
  private readonly subscriber: RedisClient;
  private handler?: HubCommandHandler;
  private readonly waiting = new Map<string, Waiting>();
  private readonly subscribed: Promise<unknown>;

  constructor(private readonly redis: RedisConnections) {
    // Like the reader, it waits out an outage: SUBSCRIBE stays queued until Redis is there, and
    // ioredis subscribes again after every reconnect.
    this.subscriber = redis.duplicate({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      autoResendUnfulfilledCommands: true,
      autoResubscribe: true,
      commandTimeout: undefined,
      connectionName: 'sse-hub:commands',
    });
    this.subscriber.on('error', () => undefined); // the publisher's health check reports Redis
    this.subscribed = redis
      .subscribeToHub(this.subscriber, [redis.keys.commands, redis.keys.commandReplies], (channel, message) =>
        this.onMessage(channel, message),
      )
      .catch(() => undefined);
  }

  /** @throws BrokerUnavailableError while Redis (or this connection to it) is away */
  async ask<C extends HubCommand>(command: C): Promise<AnswerOf<C>[]> {
    if (this.subscriber.status !== 'ready') {
      // Its own answer could not come back: no command goes out half-heard.
      throw toBrokerError(new Error('the commands connection is not ready'));
    }
    await this.subscribed;
    const requestId = randomUUID();
    const message: CommandMessage = { requestId, command };
    let finish!: () => void;
    const answered = new Promise<void>((resolve) => (finish = resolve));
    const waiting: Waiting = { replies: 0, answers: [], done: finish };
    this.waiting.set(requestId, waiting);
    try {
      waiting.expected = await this.redis.publishToHub(this.redis.keys.commands, JSON.stringify(message));
      if (waiting.replies >= waiting.expected) finish();
      const timer = setTimeout(finish, ANSWER_TIMEOUT_MS);
      await answered;
      clearTimeout(timer);
      return waiting.answers as AnswerOf<C>[];
    } catch (error) {
      throw toBrokerError(error);
    } finally {
      this.waiting.delete(requestId);
    }
  }

  onCommand(handler: HubCommandHandler): Unsubscribe {
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

  private async run({ requestId, command }: CommandMessage): Promise<void> {
    let answer: unknown = null;
    try {
      answer = this.handler ? await this.handler(command) : null;
    } catch (error) {
      this.logger.warn(`A ${command.kind} command failed here: ${String(error)}`);
    }
    const reply: ReplyMessage = { requestId, answer };
    await this.redis.publishToHub(this.redis.keys.commandReplies, JSON.stringify(reply)).catch(() => undefined);
  }

  private collect(reply: ReplyMessage): void {
    const waiting = this.waiting.get(reply.requestId);
    if (!waiting) return;
    waiting.replies++;
    // An instance without a handler, or whose handler failed, answered null: nothing to add.
    if (reply.answer !== null) waiting.answers.push(reply.answer);
    if (waiting.expected !== undefined && waiting.replies >= waiting.expected) waiting.done();
  }
}
