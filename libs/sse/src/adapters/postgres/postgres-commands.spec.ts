import pg from 'pg';
import { PostgresTestHub } from '../../../../../test/helpers/postgres-adapters.js';
import {
  BEGINNING,
  BrokerUnavailableError,
  ClosedTransportError,
  parseClientId,
  parseEventType,
  parseTopic,
  toEveryone,
  type ClientId,
  type HubCommand,
} from '../../domain/index.js';
import { eventually } from '../../testing/hub-fixture.js';

/**
 * Hub commands over LISTEN/NOTIFY and the adapters' lifecycle, on the shared PostgreSQL in a
 * schema of their own: every instance answers, large answers get past the 8000-byte NOTIFY
 * limit, one listener and one small pool per process, ClosedTransportError after close.
 */
describe('PostgreSQL adapters: commands and lifecycle', () => {
  let hub: PostgresTestHub;
  beforeEach(() => {
    hub = new PostgresTestHub();
  });
  afterEach(() => hub.close());

  const answering = (answer: (command: HubCommand) => unknown) => async (command: HubCommand) =>
    answer(command) as never;

  it('has every instance answer a command, within the bound, and only once each', async () => {
    const a = await hub.instance();
    const b = await hub.instance();
    a.commands.onCommand(answering(() => 1));
    b.commands.onCommand(answering(() => 2));
    const started = Date.now();
    const answers = await a.commands.ask({ kind: 'countStreams', clientId: parseClientId('x') });
    expect(answers.sort()).toEqual([1, 2]);
    // Both listeners were counted, so the ask did not wait out its 2 s bound.
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('carries answers larger than a NOTIFY payload through the replies table', async () => {
    const a = await hub.instance();
    const b = await hub.instance();
    const members: ClientId[] = Array.from({ length: 2_000 }, (_, n) => parseClientId(`member-${n}`));
    a.commands.onCommand(answering(() => []));
    b.commands.onCommand(answering(() => members));
    const answers = await a.commands.ask({ kind: 'topicMembers', topic: parseTopic('big') });
    expect(answers).toEqual(expect.arrayContaining([[], members]));
    expect(answers).toHaveLength(2);
  });

  it('refuses to ask while its listener is away', async () => {
    const a = await hub.instance();
    await a.pg.close();
    await expect(a.commands.ask({ kind: 'countStreams', clientId: parseClientId('x') })).rejects.toBeInstanceOf(
      BrokerUnavailableError,
    );
  });

  it('opens one listener per process, however many handlers, and closes everything it opened', async () => {
    const admin = new pg.Client({ connectionString: hub.url });
    await admin.connect();
    try {
      const listeners = async () =>
        Number(
          (
            await admin.query<{ n: string }>(
              'SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1',
              [`sse-hub:${hub.schema}`],
            )
          ).rows[0].n,
        );
      const a = await hub.instance();
      for (let i = 0; i < 20; i++) {
        a.stream.subscribe(() => undefined);
        a.registry.watch(() => undefined);
        await a.registry.connectionOpened(parseClientId(`client-${i}`));
      }
      expect(await listeners()).toBe(1);
      expect(a.pg.pool.totalCount).toBeLessThanOrEqual(4);
      await hub.instance();
      expect(await listeners()).toBe(2);

      const event = await a.stream.append({ type: parseEventType('e'), data: 1, target: toEveryone() });
      await a.close();
      await eventually(async () => (await listeners()) === 1, 'the listener to close');
      const client = parseClientId('closed');
      const calls: (() => unknown)[] = [
        () => a.stream.append({ type: parseEventType('e'), data: 1, target: toEveryone() }),
        () => a.stream.readAfter(BEGINNING, 10),
        () => a.stream.headId(),
        () => a.stream.publish(event),
        () => a.stream.subscribe(() => undefined),
        () => a.registry.add(client, []),
        () => a.registry.remove(client, []),
        () => a.registry.list(client),
        () => a.registry.connectionOpened(client),
        () => a.registry.connectionClosed(client),
        () => a.registry.watch(() => undefined),
      ];
      for (const call of calls) {
        await expect(Promise.resolve().then(call)).rejects.toBeInstanceOf(ClosedTransportError);
      }
      await expect(a.stream.checkHealth()).resolves.toMatchObject({ up: false });
    } finally {
      await admin.end();
    }
  });

  it('lets go of the clients of a crashed instance once its lease has run out', async () => {
    const options = { gracePeriodMs: 200, leaseMs: 300 };
    const crashed = await hub.instance(options);
    const b = await hub.instance(options);
    const client = parseClientId('on-a-crashed-instance');
    await crashed.registry.connectionOpened(client);
    await b.registry.add(client, [{ topic: parseTopic('t'), since: BEGINNING }]);
    // A crash: the timers stop and the connections go without the instance saying goodbye.
    (crashed.registry as unknown as { presence: { timers: NodeJS.Timeout[] } }).presence.timers.forEach(clearInterval);
    await crashed.pg.close();
    const since = Date.now();
    await eventually(async () => (await b.registry.list(client)).length === 0, 'the expiry', 5_000);
    expect(Date.now() - since).toBeGreaterThanOrEqual(150);
  });
});
