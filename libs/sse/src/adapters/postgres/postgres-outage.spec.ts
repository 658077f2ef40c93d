import pg from 'pg';
import {
  PostgresTestHub,
  type PostgresTestInstance,
} from '../../../../../test/helpers/postgres-adapters.js';
import { PrivatePostgresServer } from '../../../../../test/helpers/postgres-server.js';
import {
  BrokerUnavailableError,
  parseClientId,
  parseEventType,
  parseTopic,
  toEveryone,
  type EventDraft,
  type HubEvent,
} from '../../domain/index.js';
import { elapse, eventually } from '../../testing/hub-fixture.js';
import { CONNECT_TIMEOUT_MS } from './postgres-connections.js';

/**
 * PostgreSQL going away and coming back, on a private server (never the shared one): calls fail
 * fast instead of being accepted and lost, health says so, and everything resumes by itself.
 */
describe('PostgreSQL adapters when PostgreSQL goes away', () => {
  let server: PrivatePostgresServer;
  let hub: PostgresTestHub;
  let a: PostgresTestInstance;
  let b: PostgresTestInstance;
  let admin: pg.Client | undefined;

  const draft = (n: number): EventDraft => ({ type: parseEventType('tick'), data: { n }, target: toEveryone() });
  const record = (instance: PostgresTestInstance): HubEvent[] => {
    const events: HubEvent[] = [];
    instance.stream.subscribe((event) => events.push(event));
    return events;
  };
  const dataOf = (events: HubEvent[]): unknown[] => events.map((event) => event.data);

  beforeAll(async () => {
    server = await PrivatePostgresServer.start();
  }, 60_000);
  afterAll(() => server?.destroy());

  beforeEach(async () => {
    hub = new PostgresTestHub(server.url);
    a = await hub.instance({ gracePeriodMs: 300, leaseMs: 3_000 });
    b = await hub.instance({ gracePeriodMs: 300, leaseMs: 3_000 });
  });
  afterEach(async () => {
    await admin?.end().catch(() => undefined);
    admin = undefined;
    await hub.close();
  });

  /** Cuts the listeners' connections (the pools stay): they reconnect by themselves. */
  async function cutListeners(expected: number): Promise<void> {
    admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    const { rowCount } = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [`sse-hub:${hub.schema}`],
    );
    expect(rowCount).toBe(expected);
    await admin.end();
    admin = undefined;
  }

  it('refuses publishes fast while PostgreSQL is down, reports down, and recovers by itself', async () => {
    const onB = record(b);
    await a.stream.append(draft(1));
    await eventually(() => onB.length === 1, 'the first event on b');
    await expect(a.stream.checkHealth()).resolves.toMatchObject({ up: true });

    await server.stop();
    await eventually(async () => !(await a.stream.checkHealth()).up, 'health to report down');
    const started = Date.now();
    await expect(a.stream.append(draft(2))).rejects.toBeInstanceOf(BrokerUnavailableError);
    await expect(
      a.registry.add(parseClientId('c'), [{ topic: parseTopic('t'), since: '0-0' }]),
    ).rejects.toBeInstanceOf(BrokerUnavailableError);
    await expect(b.stream.headId()).rejects.toBeInstanceOf(BrokerUnavailableError);
    expect(Date.now() - started).toBeLessThan(3 * CONNECT_TIMEOUT_MS);

    await server.restart();
    await eventually(async () => (await a.stream.checkHealth()).up, 'health to report up', 15_000);
    const accepted = await eventually(
      () => a.stream.append(draft(3)).catch(() => undefined),
      'a publish to be accepted again',
      10_000,
    );
    await eventually(() => onB.some((event) => event.id === accepted.id), 'the new event on b', 10_000);
    // The refused event never shows up; nothing arrives twice.
    expect(dataOf(onB)).toEqual([{ n: 1 }, { n: 3 }]);
  }, 60_000);

  it('resumes a feed whose listener was cut where it stopped: no gap, no duplicate', async () => {
    const onA = record(a);
    const onB = record(b);
    await a.stream.append(draft(0));
    await eventually(() => onA.length === 1 && onB.length === 1, 'the first event everywhere');

    await cutListeners(2);
    for (let n = 1; n <= 20; n++) {
      await (n % 2 ? a : b).stream.append(draft(n));
    }
    const expected = Array.from({ length: 21 }, (_, n) => ({ n }));
    for (const seen of [onA, onB]) {
      await eventually(() => seen.length >= 21, 'all 21 events', 10_000);
      expect(dataOf(seen)).toEqual(expected);
    }
  });

  it('hands subscription changes and events over in one id order, also when caught up in one read', async () => {
    const log: string[] = [];
    b.stream.subscribe((event) => log.push(`event ${String((event.data as { n: number }).n)}`));
    b.registry.watch((change) => log.push(change.kind));
    await a.stream.append(draft(0));
    await eventually(() => log.length === 1, 'the first event on b');

    await cutListeners(2);
    const client = parseClientId('racer');
    await a.registry.connectionOpened(client);
    await a.registry.add(client, [{ topic: parseTopic('t'), since: '0-0' }]);
    await a.stream.append(draft(1));
    await a.registry.remove(client, [parseTopic('t')]);
    await a.stream.append(draft(2));
    await a.registry.add(client, [{ topic: parseTopic('u'), since: '0-0' }]);

    await eventually(() => log.length === 6, 'everything on b', 10_000);
    expect(log).toEqual(['event 0', 'added', 'event 1', 'removed', 'event 2', 'added']);
    await a.registry.connectionClosed(client);
  });

  it('replaces a listener whose connection hangs without a word, and catches up', async () => {
    const onB = record(b);
    await a.stream.append(draft(0));
    await eventually(() => onB.length === 1, 'the first event on b');
    admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    // b's listener backend stops answering (SIGSTOP), as a connection lost in a partition would.
    const { rows } = await admin.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE application_name = $1 ORDER BY backend_start DESC LIMIT 1',
      [`sse-hub:${hub.schema}`],
    );
    const frozen = rows[0].pid;
    process.kill(frozen, 'SIGSTOP');
    try {
      for (let n = 1; n <= 5; n++) await a.stream.append(draft(n));
      await eventually(() => onB.length === 6, 'the events after the listener was replaced', 25_000);
      expect(dataOf(onB)).toEqual([0, 1, 2, 3, 4, 5].map((n) => ({ n })));
    } finally {
      process.kill(frozen, 'SIGCONT');
    }
  }, 40_000);

  it('starts an instance while PostgreSQL is down: refuses, then listens, answers commands and delivers once it is back', async () => {
    await server.stop();
    const late = await hub.instance({ gracePeriodMs: 300 });
    expect(late.pg.isListening()).toBe(false);
    await expect(late.stream.append(draft(1))).rejects.toBeInstanceOf(BrokerUnavailableError);
    await expect(late.commands.ask({ kind: 'countStreams', clientId: parseClientId('c') })).rejects.toBeInstanceOf(
      BrokerUnavailableError,
    );
    const onLate = record(late);

    await server.restart();
    await eventually(() => late.pg.isListening(), 'the late listener', 15_000);
    late.commands.onCommand(async () => 7 as never);
    await expect(late.commands.ask({ kind: 'countStreams', clientId: parseClientId('c') })).resolves.toContain(7);
    const accepted = await eventually(() => a.stream.append(draft(2)).catch(() => undefined), 'a publish on a', 10_000);
    await eventually(() => onLate.some((event) => event.id === accepted.id), 'the event on the late instance', 10_000);
    expect(dataOf(onLate)).toEqual([{ n: 2 }]);
  }, 60_000);

  it('writes the presence it could not write during the outage once PostgreSQL is back', async () => {
    const client = parseClientId('tab-opened-during-outage');
    await server.stop();
    await expect(a.registry.connectionOpened(client)).rejects.toBeInstanceOf(BrokerUnavailableError);

    await server.restart();
    admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await eventually(
      async () =>
        (await admin!.query(`SELECT 1 FROM ${hub.schema}.presence WHERE client = $1`, [client])).rowCount === 1,
      "a's presence",
      15_000,
    );
    await eventually(
      () => b.registry.add(client, [{ topic: parseTopic('kept'), since: '0-0' }]).catch(() => undefined),
      'a subscription to be accepted again',
      10_000,
    );
    await elapse(900); // three grace periods: held by a's connection, they must not expire
    expect((await b.registry.list(client)).map((s) => s.topic)).toEqual(['kept']);

    await a.registry.connectionClosed(client);
    await eventually(async () => (await b.registry.list(client)).length === 0, 'expiry after the close');
  }, 60_000);
});
