import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AnswerOf, ClientCommands, HubCommand, HubCommandHandler, Unsubscribe } from '../../domain/index.js';
import { toBrokerError } from './postgres-broker-error.js';
import type { PostgresConnections, PostgresLogger } from './postgres-connections.js';

/** How long a command waits for the other instances' answers. */
const ANSWER_TIMEOUT_MS = 2_000;
/**
 * NOTIFY payloads must stay under 8000 bytes. A reply larger than this (the members of a busy
 * topic) goes into `command_replies`, and the NOTIFY carries its row id instead.
 */
const MAX_INLINE_BYTES = 7_000;
/** Stored replies older than this are deleted (their asker gave up long ago). */
const STORED_REPLY_TTL = '1 minute';

interface CommandMessage {
  readonly requestId: string;
  readonly command: HubCommand;
}

interface ReplyMessage {
  readonly requestId: string;
  readonly answer?: unknown;
  /** The row of `command_replies` holding the answer, when it was too large to notify. */
  readonly stored?: string;
}

interface Waiting {
  /** Instances listening when the command went out, once known. */
  expected?: number;
  replies: number;
  readonly answers: unknown[];
  done: () => void;
}

/**
 * Hub commands over LISTEN/NOTIFY, mirroring RedisClientCommandsAdapter: a command is notified
 * to every instance (on the connections' dedicated listener), each runs its handler and notifies
 * its answer, and the caller gathers the answers of the instances listening when it asked,
 * waiting at most `ANSWER_TIMEOUT_MS`. NOTIFY does not say how many heard it (Redis's PUBLISH
 * does), so the caller counts the hub's listener sessions (`application_name`, see
 * PostgresConnections) in `pg_stat_activity` as it asks. An instance cut off from PostgreSQL
 * neither acts nor answers; what it holds is missing from the answers.
 * @internal
 */
export class PostgresClientCommandsAdapter implements ClientCommands {
  private readonly logger: PostgresLogger;
  private handler?: HubCommandHandler;
  private readonly waiting = new Map<string, Waiting>();
  private readonly stops: (() => void)[];

  constructor(
    private readonly pg: PostgresConnections,
    logger?: PostgresLogger,
  ) {
    this.logger = logger ?? new Logger('SsePostgresCommands');
    this.stops = [
      pg.onNotification(pg.channels.commands, (payload) => this.onCommandMessage(payload)),
      pg.onNotification(pg.channels.replies, (payload) => void this.onReplyMessage(payload)),
    ];
  }

  /** @throws BrokerUnavailableError while PostgreSQL (or this instance's listener) is away */
  async ask<C extends HubCommand>(command: C): Promise<AnswerOf<C>[]> {
    if (!this.pg.isListening()) {
      // Its own answer could not come back: no command goes out half-heard.
      throw toBrokerError(new Error('the listener is not listening'));
    }
    const requestId = randomUUID();
    const message = JSON.stringify({ requestId, command } satisfies CommandMessage);
    let finish!: () => void;
    const answered = new Promise<void>((resolve) => (finish = resolve));
    const waiting: Waiting = { replies: 0, answers: [], done: finish };
    this.waiting.set(requestId, waiting);
    let timer: NodeJS.Timeout | undefined;
    try {
      // One statement: the count and the NOTIFY see the same listeners.
      const [row] = await this.pg.query<{ listeners: string }>(
        `SELECT (SELECT count(*) FROM pg_stat_activity
                  WHERE datname = current_database() AND application_name = $3) AS listeners,
                pg_notify($1, $2)::text AS sent`,
        [this.pg.channels.commands, message, this.pg.listenerName],
      );
      waiting.expected = Math.max(1, Number(row?.listeners ?? 1));
      if (waiting.replies >= waiting.expected) finish();
      timer = setTimeout(finish, ANSWER_TIMEOUT_MS);
      await answered;
      return waiting.answers as AnswerOf<C>[];
    } catch (error) {
      throw toBrokerError(error);
    } finally {
      clearTimeout(timer);
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
    this.stops.splice(0).forEach((stop) => stop());
  }

  private onCommandMessage(payload: string): void {
    try {
      void this.run(JSON.parse(payload) as CommandMessage);
    } catch (error) {
      this.logger.warn(`Skipped a command that could not be read: ${String(error)}`);
    }
  }

  private async run({ requestId, command }: CommandMessage): Promise<void> {
    let answer: unknown = null;
    try {
      answer = this.handler ? await this.handler(command) : null;
    } catch (error) {
      this.logger.warn(`A ${command.kind} command failed here: ${String(error)}`);
    }
    try {
      let reply = JSON.stringify({ requestId, answer } satisfies ReplyMessage);
      if (Buffer.byteLength(reply) > MAX_INLINE_BYTES) {
        const [row] = await this.pg.query<{ id: string }>(
          `WITH old AS (DELETE FROM ${this.pg.schema}.command_replies
                         WHERE created_at < clock_timestamp() - interval '${STORED_REPLY_TTL}')
           INSERT INTO ${this.pg.schema}.command_replies (answer) VALUES ($1) RETURNING id`,
          [JSON.stringify(answer)],
        );
        reply = JSON.stringify({ requestId, stored: row?.id } satisfies ReplyMessage);
      }
      await this.pg.query('SELECT pg_notify($1, $2)', [this.pg.channels.replies, reply]);
    } catch {
      // PostgreSQL is away: the asker's wait runs out without this answer.
    }
  }

  private async onReplyMessage(payload: string): Promise<void> {
    let reply: ReplyMessage;
    try {
      reply = JSON.parse(payload) as ReplyMessage;
    } catch (error) {
      this.logger.warn(`Skipped a reply that could not be read: ${String(error)}`);
      return;
    }
    const waiting = this.waiting.get(reply.requestId);
    if (!waiting) return;
    let answer: unknown = reply.answer ?? null;
    if (reply.stored !== undefined) {
      try {
        const [row] = await this.pg.query<{ answer: string }>(
          `SELECT answer FROM ${this.pg.schema}.command_replies WHERE id = $1`,
          [reply.stored],
        );
        answer = row ? (JSON.parse(row.answer) as unknown) : null;
      } catch {
        answer = null;
      }
    }
    waiting.replies++;
    // An instance without a handler, or whose handler failed, answered null: nothing to add.
    if (answer !== null) waiting.answers.push(answer);
    if (waiting.expected !== undefined && waiting.replies >= waiting.expected) waiting.done();
  }
}
