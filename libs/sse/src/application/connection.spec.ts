import { jest } from '@jest/globals';
import type { ClientId, EventType, HubEvent, Topic } from '../domain/index.js';
import type { ConnectionSink } from './connection-sink.js';
import { Connection } from './connection.js';
import { HeartbeatClock } from './heartbeat-clock.js';
import type { StreamMessage } from './stream-message.js';

/** A socket stand-in whose backlog the test controls, recording what was sent. */
class FakeSink implements ConnectionSink {
  readonly sent: StreamMessage[] = [];
  backedUp = false;
  aborted = false;
  ended = false;
  private listeners: (() => void)[] = [];

  get closed() {
    return this.ended || this.aborted;
  }
  send = (message: StreamMessage) => {
    this.sent.push(message);
  };
  end = () => {
    this.ended = true;
  };
  isBackedUp = () => this.backedUp;
  onceDrained = (listener: () => void) => {
    this.listeners.push(listener);
    return () => (this.listeners = this.listeners.filter((l) => l !== listener));
  };
  abort = () => {
    this.aborted = true;
  };
  onClose = () => undefined;
  drain(): void {
    this.backedUp = false;
    const listeners = this.listeners;
    this.listeners = [];
    listeners.forEach((l) => l());
  }
}

const bob = 'bob' as ClientId;
const event = (id: string, target: HubEvent['target'] = { kind: 'client', clientId: bob }): HubEvent => ({
  id,
  type: 'x' as EventType,
  data: { id },
  target,
});

function open({ maxQueuedEvents = 3, maxQueuedBytes = 1024 * 1024 } = {}) {
  const sink = new FakeSink();
  const clock = new HeartbeatClock(1_000);
  const connection = new Connection('c1', bob, '0-0', sink, { maxQueuedEvents, maxQueuedBytes }, clock);
  return { connection, sink, clock };
}

describe('Connection', () => {
  afterEach(() => jest.useRealTimers());

  it('holds live events while catching up, then sends the entitled ones newer than the replay', () => {
    const { connection, sink } = open({ maxQueuedEvents: 10 });
    connection.offer(event('5-0'));
    connection.offer(event('6-0', { kind: 'topic', topic: 'news' as Topic }));
    connection.offer(event('7-0'));
    expect(sink.sent).toHaveLength(0);
    connection.replay(event('5-0'));
    connection.goLive(new Map());
    expect(sink.sent.map((m) => m.id)).toEqual(['5-0', '7-0']);
    connection.offer(event('8-0'));
    expect(sink.sent.map((m) => m.id)).toEqual(['5-0', '7-0', '8-0']);
    connection.dispose();
  });

  it('queues while the socket is backed up, flushes on drain, and drops the client past the bound', () => {
    const { connection, sink } = open({ maxQueuedEvents: 2 });
    connection.goLive(new Map());
    sink.backedUp = true;
    connection.offer(event('1-0'));
    connection.offer(event('2-0'));
    expect(sink.sent).toHaveLength(0);
    sink.drain();
    expect(sink.sent.map((m) => m.id)).toEqual(['1-0', '2-0']);

    sink.backedUp = true;
    connection.offer(event('3-0'));
    connection.offer(event('4-0'));
    connection.offer(event('5-0'));
    expect(sink.aborted).toBe(true);
    expect(connection.closeReason).toBe('too_slow');
    expect(connection.isOpen).toBe(false);
    connection.dispose();
  });

  it('drops a backed-up client once its queue passes the byte bound, below the frame bound', () => {
    const { connection, sink } = open({ maxQueuedEvents: 1_000, maxQueuedBytes: 200_000 });
    connection.goLive(new Map());
    sink.backedUp = true;
    const big = (id: string): HubEvent => ({ ...event(id), data: 'x'.repeat(64 * 1024) });
    for (let n = 1; n <= 3; n++) connection.offer(big(`${n}-0`));
    expect(connection.isOpen).toBe(true);
    connection.offer(big('4-0'));
    expect(connection.isOpen).toBe(false);
    expect(connection.closeReason).toBe('too_slow');
    expect(sink.aborted).toBe(true);
    connection.dispose();
  });

  it('counts events held while catching up against the byte bound too', () => {
    const { connection } = open({ maxQueuedEvents: 1_000, maxQueuedBytes: 200_000 });
    for (let n = 1; n <= 4; n++) connection.offer({ ...event(`${n}-0`), data: 'x'.repeat(64 * 1024) });
    expect(connection.closeReason).toBe('too_slow');
    connection.dispose();
  });

  it('lets a replay wait until the socket has taken what was written', async () => {
    const { connection, sink } = open();
    expect(connection.whenWritable()).toBeUndefined();
    sink.backedUp = true;
    let writable = false;
    const waiting = connection.whenWritable()?.then(() => (writable = true));
    expect(waiting).toBeDefined();
    await Promise.resolve();
    expect(writable).toBe(false);
    sink.drain();
    await waiting;
    expect(writable).toBe(true);
    // A connection that closes while a replay waits lets it go on (to find it closed).
    sink.backedUp = true;
    const released = connection.whenWritable();
    connection.close('client_left');
    await expect(released).resolves.toBeUndefined();
    connection.dispose();
  });

  it('sends a heartbeat comment only after a full idle period of clock ticks', () => {
    const { connection, sink, clock } = open({ maxQueuedEvents: 5 });
    connection.goLive(new Map());
    const tick = () => connection.beatIfIdle(++clock.tick);
    for (let i = 1; i < HeartbeatClock.TICKS_PER_PERIOD; i++) tick();
    expect(sink.sent).toHaveLength(0);
    tick();
    expect(sink.sent).toEqual([{ comment: '' }]);
    connection.offer(event('1-0'));
    for (let i = 1; i < HeartbeatClock.TICKS_PER_PERIOD; i++) tick();
    expect(sink.sent).toHaveLength(2);
    tick();
    expect(sink.sent.at(-1)).toEqual({ comment: '' });
    connection.dispose();
  });

  it('ends the stream cleanly when the token expires', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { connection, sink } = open();
    connection.endAt(1_000_000 + 5_000);
    jest.advanceTimersByTime(4_999);
    expect(sink.ended).toBe(false);
    jest.advanceTimersByTime(1);
    expect(sink.ended).toBe(true);
    expect(sink.aborted).toBe(false);
    expect(connection.closeReason).toBe('token_expired');
    connection.dispose();
  });

  it('ends the stream of a token valid for longer than one timer can wait (about 24.8 days)', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { connection, sink } = open();
    const fortyDays = 40 * 24 * 3_600_000;
    connection.endAt(1_000_000 + fortyDays);
    jest.advanceTimersByTime(fortyDays - 1);
    expect(sink.ended).toBe(false);
    jest.advanceTimersByTime(1);
    expect(sink.ended).toBe(true);
    expect(connection.closeReason).toBe('token_expired');
    connection.dispose();
  });
});
