import { compareEventIds } from 'nestjs-sse-hub';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { publish } from './helpers/http.js';
import { uniqueRedisPrefix } from './helpers/redis.js';
import { SentinelGroup } from './helpers/redis-topologies.js';
import { connect, type SseReader } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

/** What a steady publisher saw across a failover, and what the stream got. */
interface FailoverRun {
  /** Ids answered 202, in the order they were answered. */
  readonly acknowledged: string[];
  /** Publishes answered 503 (the failover window). */
  readonly refused: number;
  /** Milliseconds from the kill to the first 202 of a publish sent after it. */
  readonly gapMs: number;
  /** Heartbeats the open stream got while publishing was refused. */
  readonly heartbeatsMeanwhile: number;
  /** Event ids the stream received, in arrival order. */
  readonly received: string[];
  /** Acknowledged ids that a stream resuming from before the kill no longer gets: lost. */
  readonly lost: string[];
  readonly healthDuring: number;
  readonly healthAfter: number;
}

/**
 * A primary, two replicas and three Sentinels, all private processes on free ports (never the
 * shared Redis). The reference app follows the primary through Sentinel (REDIS_SENTINELS); a
 * steady publisher runs while the primary is SIGKILLed.
 */
describe('Redis behind Sentinel: a failover under a steady publisher (private processes)', () => {
  const publisher = publisherToken();
  let group: SentinelGroup | undefined;
  let app: TestApp | undefined;
  let reader: SseReader | undefined;

  afterEach(async () => {
    reader?.close();
    await app?.close();
    await group?.stop();
    [reader, app, group] = [undefined, undefined, undefined];
  });

  async function failoverRun(minReplicas: number): Promise<FailoverRun> {
    group = await SentinelGroup.start(2);
    app = await createTestApp({
      broker: 'redis',
      redisPrefix: uniqueRedisPrefix('sentinel'),
      env: { ...group.env, REDIS_MIN_REPLICAS: String(minReplicas), SSE_HEARTBEAT_MS: '200' },
    });
    const hub = app;
    reader = await connect(`${hub.url}/sse`, { token: token({ sub: 'watcher' }) });
    const stream = reader;

    const acknowledged: string[] = [];
    let refused = 0;
    let killedAt = 0;
    let firstAfterKill = 0;
    let heartbeatsAtRecovery = 0;
    const firstPrimary = await group.primaryPort();
    const deadline = Date.now() + 40_000;
    const send = async (i: number) => {
      const sentAfterKill = killedAt > 0;
      const receipt = await publish(hub.url, publisher, 'clients/watcher', 'tick', { i });
      if (receipt.status === 202) {
        acknowledged.push(receipt.body.id);
        if (sentAfterKill && firstAfterKill === 0) {
          firstAfterKill = Date.now();
          heartbeatsAtRecovery = stream.comments.length;
        }
      } else {
        expect(receipt.status).toBe(503);
        refused++;
      }
      return receipt.status;
    };
    for (let i = 0; i < 100; i++) await send(i);
    const beforeLag = acknowledged[acknowledged.length - 1];
    // Replication stops reaching the replicas while 20 more are published, then the primary
    // dies: what asynchronous replication loses in production when a primary fails behind.
    group.freezeReplication();
    await Promise.all(Array.from({ length: 20 }, (_, k) => send(100 + k)));
    const heartbeatsAtKill = stream.comments.length;
    killedAt = Date.now();
    await group.primary.stop('SIGKILL');
    const healthDuring = await waitFor(
      async () => {
        const status = (await fetch(`${hub.url}/health`)).status;
        return status === 503 && status;
      },
      { timeoutMs: 5_000, intervalMs: 20, what: '/health to say the broker is down' },
    );
    // Then sequential publishes, a few milliseconds apart, until the hub has answered 202 for 50
    // after the failover (or the deadline, which fails the test below).
    const acknowledgedByBurst = acknowledged.length;
    for (let i = 120; acknowledged.length - acknowledgedByBurst < 50 && Date.now() < deadline; i++) {
      await send(i);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(firstAfterKill).toBeGreaterThan(0);
    expect(await group.primaryPort()).not.toBe(firstPrimary);

    // The stream has everything it will get once the newest acknowledged event has arrived.
    const newest = acknowledged[acknowledged.length - 1];
    await waitFor(() => stream.events.some((event) => event.id === newest), {
      timeoutMs: 10_000,
      what: 'the newest acknowledged event on the stream',
    });
    const healthAfter = (await fetch(`${hub.url}/health`)).status;
    // What history still has: a client resuming from the last event before the lag.
    const resumed = await connect(`${hub.url}/sse`, {
      token: token({ sub: 'watcher' }),
      headers: { 'last-event-id': beforeLag },
    });
    await waitFor(() => resumed.events.some((event) => event.id === newest), {
      timeoutMs: 10_000,
      what: 'the replay to reach the newest acknowledged event',
    });
    resumed.close();
    const kept = new Set(resumed.ofType('tick').map((event) => event.id));
    return {
      lost: acknowledged.slice(acknowledged.indexOf(beforeLag) + 1).filter((id) => !kept.has(id)),
      acknowledged,
      refused,
      gapMs: firstAfterKill - killedAt,
      heartbeatsMeanwhile: heartbeatsAtRecovery - heartbeatsAtKill,
      received: stream.ofType('tick').map((event) => event.id as string),
      healthDuring,
      healthAfter,
    };
  }

  it('with REDIS_MIN_REPLICAS=1: 503 during the failover, heartbeats go on, and every event answered 202 reaches the stream once, in order', async () => {
    const run = await failoverRun(1);
    console.log(
      `sentinel failover, REDIS_MIN_REPLICAS=1: ${run.gapMs} ms without a 202, ${run.refused} publishes answered 503, ` +
        `${run.acknowledged.length} acknowledged, lost ${run.lost.length}`,
    );
    expect(run.refused).toBeGreaterThan(0);
    expect(run.heartbeatsMeanwhile).toBeGreaterThan(0);
    expect([run.healthDuring, run.healthAfter]).toEqual([503, 200]);
    // Exactly once and in order: no duplicates, strictly increasing.
    expect(new Set(run.received).size).toBe(run.received.length);
    expect([...run.received].sort(compareEventIds)).toEqual(run.received);
    // Nothing answered 202 is missing, live or from history: the 20 published while replication
    // lagged were refused (WAIT timed out), not acknowledged and then lost.
    expect(run.acknowledged.filter((id) => !run.received.includes(id))).toEqual([]);
    expect(run.lost).toEqual([]);
  }, 90_000);

  it('with REDIS_MIN_REPLICAS=0 (the default): the hub recovers by itself; events acknowledged but not yet replicated may be lost, and are counted', async () => {
    const run = await failoverRun(0);
    const { lost } = run;
    console.log(
      `sentinel failover, REDIS_MIN_REPLICAS=0: ${run.gapMs} ms without a 202, ${run.refused} publishes answered 503, ` +
        `${run.acknowledged.length} acknowledged, lost ${lost.length}`,
    );
    expect([run.healthDuring, run.healthAfter]).toEqual([503, 200]);
    expect(new Set(run.received).size).toBe(run.received.length);
    expect([...run.received].sort(compareEventIds)).toEqual(run.received);
    // What was lost is what replication had not carried (published while it lagged); every
    // event acknowledged after the failover arrived.
    expect(lost.length).toBeLessThanOrEqual(20);
    expect(run.acknowledged.slice(-50).filter((id) => !run.received.includes(id))).toEqual([]);
  }, 90_000);
});
