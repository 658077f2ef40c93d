import { compareEventIds } from 'nestjs-sse-hub';
import pg from 'pg';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { publish } from './helpers/http.js';
import { uniquePostgresSchema } from './helpers/postgres.js';
import { PrivatePostgresServer } from './helpers/postgres-server.js';
import { connect } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

/**
 * Chaos with PostgreSQL, on a private server the test starts itself (never the shared one on
 * 5432): the server restarts under a steady publisher, and the listeners' connections are cut
 * while events keep coming. Every publish answered 202 reaches the stream once, in order.
 */
describe('PostgreSQL restarts while events are being published (two instances)', () => {
  let server: PrivatePostgresServer;
  let a: TestApp;
  let b: TestApp;
  const schema = uniquePostgresSchema('chaos');

  beforeAll(async () => {
    server = await PrivatePostgresServer.start();
    const options = {
      broker: 'postgres' as const,
      databaseUrl: server.url,
      postgresSchema: schema,
      env: { SSE_PUBLISH_RATE_PER_SECOND: '0' },
    };
    [a, b] = await Promise.all([createTestApp(options), createTestApp(options)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await server?.destroy();
  });

  /** Publishes through A one at a time until stopped; keeps the 202 ids, counts the 503s. */
  function steadyPublisher(sub: string) {
    const publisher = publisherToken();
    const state = { accepted: [] as string[], refused: 0, publishing: true };
    const loop = (async () => {
      for (let n = 0; state.publishing; n++) {
        const receipt = await publish(a.url, publisher, `clients/${sub}`, 'tick', { n });
        if (receipt.status === 202) state.accepted.push(receipt.body.id);
        else if (receipt.status === 503) state.refused++;
        else throw new Error(`publish answered ${receipt.status}`);
      }
    })();
    return {
      state,
      stop: async () => {
        state.publishing = false;
        await loop;
      },
    };
  }

  it('loses no acknowledged event: the stream on B gets every 202 of A, once, in order; publishes meanwhile are 503', async () => {
    const reader = await connect(`${b.url}/sse`, { token: token({ sub: 'steady' }) });
    const publisher = steadyPublisher('steady');
    try {
      await waitFor(() => publisher.state.accepted.length >= 20, { what: 'events before the restart' });
      await server.stop();
      await waitFor(() => publisher.state.refused > 0, { what: 'a 503 while PostgreSQL is down' });
      const acceptedWhileDown = publisher.state.accepted.length;
      await waitFor(() => publisher.state.refused >= 3, { what: 'more 503s while PostgreSQL is down' });
      expect(publisher.state.accepted.length).toBe(acceptedWhileDown);
      await server.restart();
      const atRestart = publisher.state.accepted.length;
      await waitFor(() => publisher.state.accepted.length >= atRestart + 20, {
        what: 'events after the restart',
        timeoutMs: 20_000,
      });
    } finally {
      await publisher.stop();
    }
    const { accepted } = publisher.state;
    const ticks = () => reader.ofType('tick').map((e) => e.id as string);
    await waitFor(() => accepted.every((id) => ticks().includes(id)), {
      what: 'every accepted event',
      timeoutMs: 10_000,
    });
    expectEveryAcceptedOnceInOrder(ticks(), accepted);
    expect(reader.ofType('connected')).toHaveLength(1);
    reader.close();
  }, 90_000);

  it("catches up from the table when the listeners' connections are cut under load", async () => {
    const reader = await connect(`${b.url}/sse`, { token: token({ sub: 'cut' }) });
    const publisher = steadyPublisher('cut');
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    try {
      await waitFor(() => publisher.state.accepted.length >= 10, { what: 'events before the cut' });
      for (let round = 0; round < 3; round++) {
        const before = publisher.state.accepted.length;
        // Only the listeners: the pools stay, so publishes go on while the feeds reconnect.
        const { rowCount } = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
          [`sse-hub:${schema}`],
        );
        expect(rowCount).toBe(2);
        await waitFor(() => publisher.state.accepted.length >= before + 10, {
          what: 'publishes after the cut',
          timeoutMs: 10_000,
        });
      }
    } finally {
      await publisher.stop();
      await admin.end();
    }
    const { accepted } = publisher.state;
    const ticks = () => reader.ofType('tick').map((e) => e.id as string);
    await waitFor(() => accepted.every((id) => ticks().includes(id)), {
      what: 'every accepted event',
      timeoutMs: 10_000,
    });
    expect(ticks()).toEqual(accepted);
    expect(reader.ofType('connected')).toHaveLength(1);
    reader.close();
  }, 60_000);
});

/**
 * Every acknowledged (202) event arrived, once, in id order. At most one more may show up: one
 * that PostgreSQL committed just as the stop cut off its answer (the publisher got a 503 for it).
 */
function expectEveryAcceptedOnceInOrder(received: string[], accepted: string[]): void {
  expect(new Set(received).size).toBe(received.length);
  expect([...received].sort(compareEventIds)).toEqual(received);
  const acceptedSet = new Set(accepted);
  expect(received.filter((id) => acceptedSet.has(id))).toEqual([...accepted].sort(compareEventIds));
  expect(received.length - accepted.length).toBeLessThanOrEqual(1);
}
