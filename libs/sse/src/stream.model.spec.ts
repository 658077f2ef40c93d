import fc from 'fast-check';
import { Test, type TestingModule } from '@nestjs/testing';
import type { ClientId, ClientPrincipal } from './domain/index.js';
import { SseModule } from './sse.module.js';
import type { SseModuleOptions } from './sse-module-options.interface.js';
import { dropPostgresSchema, SHARED_POSTGRES_URL, uniquePostgresSchema } from '../../../test/helpers/postgres.js';
import { deleteRedisPrefix, SHARED_REDIS_URL, uniqueRedisPrefix } from '../../../test/helpers/redis.js';
import type { ConnectionSink } from './application/connection-sink.js';
import { ConnectionService } from './application/connection.service.js';
import { NotificationService } from './application/notification.service.js';
import type { StreamMessage } from './application/stream-message.js';

/** Records a connection's events; never backed up. Reports its close as a response would. */
class RecordingSink implements ConnectionSink {
  readonly ids: string[] = [];
  closed = false;
  private closeListener?: () => void;
  send(message: StreamMessage) {
    if (message.type !== undefined && message.type !== 'connected' && message.id) this.ids.push(message.id);
  }
  end() {
    this.leave();
  }
  isBackedUp = () => false;
  onceDrained = () => () => undefined;
  abort() {
    this.leave();
  }
  onClose(listener: () => void) {
    this.closeListener = listener;
  }
  /** The client goes away. */
  leave() {
    if (!this.closed) {
      this.closed = true;
      this.closeListener?.();
    }
  }
}

const CLIENTS = ['ann', 'ben', 'cat'] as const;
const TOPICS = ['t1', 't2'] as const;

type Command =
  | { kind: 'connect'; client: number; narrow: boolean }
  | { kind: 'disconnect'; slot: number }
  | { kind: 'resume'; slot: number }
  | { kind: 'subscribe'; client: number; topic: number }
  | { kind: 'unsubscribe'; client: number; topic: number }
  | { kind: 'publish'; target: 'client' | 'topic' | 'broadcast'; index: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('connect' as const), client: fc.nat(2), narrow: fc.boolean() }),
  fc.record({ kind: fc.constant('disconnect' as const), slot: fc.nat(9) }),
  fc.record({ kind: fc.constant('resume' as const), slot: fc.nat(9) }),
  fc.record({ kind: fc.constant('subscribe' as const), client: fc.nat(2), topic: fc.nat(1) }),
  fc.record({ kind: fc.constant('unsubscribe' as const), client: fc.nat(2), topic: fc.nat(1) }),
  fc.record({
    kind: fc.constant('publish' as const),
    target: fc.constantFrom('client' as const, 'topic' as const, 'broadcast' as const),
    index: fc.nat(2),
  }),
);

/**
 * Interleavings always run besides the random ones: short random runs seldom hit them. A
 * connection with a token narrowed to t1 while its client (through another token) holds t2.
 */
const KNOWN_CASES: Command[][] = [
  [
    { kind: 'subscribe', client: 2, topic: 1 },
    { kind: 'connect', client: 2, narrow: true },
    { kind: 'connect', client: 2, narrow: false },
    { kind: 'publish', target: 'broadcast', index: 0 },
    { kind: 'publish', target: 'topic', index: 1 },
    { kind: 'disconnect', slot: 0 },
    { kind: 'publish', target: 'topic', index: 1 },
    { kind: 'resume', slot: 0 },
    { kind: 'publish', target: 'topic', index: 1 },
  ],
];

/** A model connection: what it received, and what the reference model says it must have. */
interface Slot {
  client: ClientId;
  /** The connection's token claims `topics: ['t1']`: t2 events are not for it, though its client holds t2. */
  narrow: boolean;
  sink: RecordingSink;
  expected: string[];
  open: boolean;
}

/**
 * Random interleavings of connect, disconnect, subscribe, unsubscribe, publish and
 * resume-with-Last-Event-ID, checked against a reference model of who must receive what: no loss
 * within history, no duplicate, no reordering, no leak across clients, and none past a
 * connection's own token (some hold a token narrowed to t1 while their client holds t2).
 */
interface ModelHub {
  readonly options: Partial<SseModuleOptions>;
  cleanUp(): Promise<void>;
}

function runStreamModel(name: string, hub: () => ModelHub, numRuns: number) {
  describe(`stream model (${name})`, () => {
    it('delivers exactly what the reference model says', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 40 }), async (commands) => {
          const { options, cleanUp } = hub();
          const moduleRef: TestingModule = await Test.createTestingModule({
            imports: [SseModule.forRoot({ jwtSecret: 'model', historySize: 10_000, ...options })],
          }).compile();
          await moduleRef.init();
          try {
            await runCommands(moduleRef, commands);
          } finally {
            await moduleRef.close();
            await cleanUp();
          }
        }),
        { numRuns, examples: KNOWN_CASES.map((commands) => [commands]) },
      );
    });
  });
}

async function runCommands(moduleRef: TestingModule, commands: Command[]) {
  const connections = moduleRef.get(ConnectionService);
  const notifications = moduleRef.get(NotificationService);
  const slots: Slot[] = [];
  // The model's subscriptions: client -> topic -> number of events published before it subscribed.
  const subscribed = new Map<string, Map<string, number>>(CLIENTS.map((c) => [c, new Map()]));
  const published: { id: string; target: Command & { kind: 'publish' } }[] = [];

  const open = async (client: ClientId, narrow: boolean, lastEventId?: string, expected: string[] = []) => {
    const sink = new RecordingSink();
    const principal: ClientPrincipal = { clientId: client, roles: [], topicPatterns: narrow ? ['t1'] : undefined };
    await connections.connect(principal, { lastEventId, sink }).ready;
    slots.push({ client, narrow, sink, expected, open: true });
  };
  const tokenAllows = (slot: Pick<Slot, 'narrow'>, topic: string) => !slot.narrow || topic === 't1';
  const entitledLive = (slot: Slot, target: Command & { kind: 'publish' }) =>
    target.target === 'broadcast' ||
    (target.target === 'client' && CLIENTS[target.index] === slot.client) ||
    (target.target === 'topic' &&
      subscribed.get(slot.client)!.has(TOPICS[target.index % 2]) &&
      tokenAllows(slot, TOPICS[target.index % 2]));

  for (const step of commands) {
    switch (step.kind) {
      case 'connect':
        await open(CLIENTS[step.client] as ClientId, step.narrow);
        break;
      case 'disconnect': {
        const slot = slots.filter((s) => s.open)[step.slot % Math.max(1, slots.length)];
        if (slot) {
          slot.open = false;
          slot.sink.leave();
        }
        break;
      }
      case 'resume': {
        const closed = slots.filter((s) => !s.open);
        const from = closed[step.slot % Math.max(1, closed.length)];
        const lastId = from?.sink.ids.at(-1);
        if (!from || !lastId) break;
        // Replay: events after the last one it got, that it is entitled to under the current
        // subscriptions (a topic event counts when the topic was subscribed before it).
        const after = published.slice(published.findIndex((p) => p.id === lastId) + 1);
        const subs = subscribed.get(from.client)!;
        const expected = after
          .filter(({ target }, i) => {
            const index = published.length - after.length + i;
            if (target.target === 'topic') {
              const since = subs.get(TOPICS[target.index % 2]);
              return since !== undefined && since <= index && tokenAllows(from, TOPICS[target.index % 2]);
            }
            return target.target === 'broadcast' || CLIENTS[target.index] === from.client;
          })
          .map((p) => p.id);
        await open(from.client, from.narrow, lastId, expected);
        break;
      }
      case 'subscribe': {
        const topics = subscribed.get(CLIENTS[step.client])!;
        const topic = TOPICS[step.topic];
        await notifications.subscribe(CLIENTS[step.client], [topic]);
        if (!topics.has(topic)) topics.set(topic, published.length);
        break;
      }
      case 'unsubscribe':
        await notifications.unsubscribe(CLIENTS[step.client], [TOPICS[step.topic]]);
        subscribed.get(CLIENTS[step.client])!.delete(TOPICS[step.topic]);
        break;
      case 'publish': {
        const receipt =
          step.target === 'client'
            ? await notifications.sendToClient(CLIENTS[step.index], 'e', step.index)
            : step.target === 'topic'
              ? await notifications.sendToTopic(TOPICS[step.index % 2], 'e', step.index)
              : await notifications.broadcast('e', step.index);
        published.push({ id: receipt.id, target: step });
        let entitled = 0;
        for (const slot of slots) {
          if (slot.open && entitledLive(slot, step)) {
            slot.expected.push(receipt.id);
            entitled++;
          }
        }
        expect(receipt.delivered).toBe(entitled);
        break;
      }
    }
  }
  for (const slot of slots) {
    expect(slot.sink.ids).toEqual(slot.expected);
    slot.sink.leave();
  }
  // Each sink's close released its connection: nothing is left counted.
  expect(connections.openConnections).toBe(0);
}

runStreamModel('in-memory adapters', () => ({ options: {}, cleanUp: async () => undefined }), 40);
runStreamModel(
  'Redis adapters',
  () => {
    const prefix = uniqueRedisPrefix('model');
    return {
      options: { broker: 'redis', redisUrl: SHARED_REDIS_URL, redisKeyPrefix: prefix },
      cleanUp: () => deleteRedisPrefix(prefix),
    };
  },
  15,
);
runStreamModel(
  'PostgreSQL adapters',
  () => {
    const schema = uniquePostgresSchema('model');
    return {
      options: { broker: 'postgres', postgres: { connectionString: SHARED_POSTGRES_URL, schema, poolSize: 4 } },
      cleanUp: () => dropPostgresSchema(schema),
    };
  },
  15,
);
