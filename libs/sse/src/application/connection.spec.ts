import { jest } from '@jest/globals';
import { Subject } from 'rxjs';
import type { ClientId, EventType, HubEvent, Topic } from '../domain/index.js';
import type { ConnectionSink } from './connection-sink.js';
import { Connection } from './connection.js';
import type { StreamMessage } from './stream-message.js';

/** A socket stand-in whose backlog the test controls. */
class FakeSink implements ConnectionSink {
  backedUp = false;
  aborted = false;
  private listeners: (() => void)[] = [];
  isBackedUp = () => this.backedUp;
  onceDrained = (listener: () => void) => {
    this.listeners.push(listener);
    return () => (this.listeners = this.listeners.filter((l) => l !== listener));
  };
  abort = () => {
    this.aborted = true;
  };
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

function open(maxQueuedEvents = 3) {
  const sink = new FakeSink();
  const subject = new Subject<StreamMessage>();
  const sent: StreamMessage[] = [];
  let completed = false;
  subject.subscribe({ next: (m) => sent.push(m), complete: () => (completed = true) });
  const connection = new Connection('c1', bob, '0-0', createSubscriber(subject), sink, { heartbeatMs: 60_000, maxQueuedEvents });
  return { connection, sink, sent, isCompleted: () => completed };
}

/** Connection writes to an rxjs Subscriber; a Subject has the same next/complete/closed surface. */
function createSubscriber(subject: Subject<StreamMessage>) {
  return subject as unknown as ConstructorParameters<typeof Connection>[3];
}

describe('Connection', () => {
  afterEach(() => jest.useRealTimers());

  it('holds live events while catching up, then sends the entitled ones newer than the replay', () => {
    const { connection, sent } = open(10);
    connection.offer(event('5-0'));
    connection.offer(event('6-0', { kind: 'topic', topic: 'news' as Topic }));
    connection.offer(event('7-0'));
    expect(sent).toHaveLength(0);
    connection.replay(event('5-0'));
    connection.goLive(new Map());
    expect(sent.map((m) => m.id)).toEqual(['5-0', '7-0']);
    connection.offer(event('7-0'));
    expect(sent).toHaveLength(2);
    connection.dispose();
  });

  it('queues while the socket is backed up, flushes on drain, and drops the client past the bound', () => {
    const { connection, sink, sent, isCompleted } = open(2);
    connection.goLive(new Map());
    sink.backedUp = true;
    connection.offer(event('1-0'));
    connection.offer(event('2-0'));
    expect(sent).toHaveLength(0);
    sink.drain();
    expect(sent.map((m) => m.id)).toEqual(['1-0', '2-0']);

    sink.backedUp = true;
    connection.offer(event('3-0'));
    connection.offer(event('4-0'));
    connection.offer(event('5-0'));
    expect(sink.aborted).toBe(true);
    expect(isCompleted()).toBe(true);
    expect(connection.closeReason).toBe('too_slow');
    connection.dispose();
  });

  it('sends a heartbeat comment only after a full idle period', () => {
    jest.useFakeTimers();
    const sink = new FakeSink();
    const subject = new Subject<StreamMessage>();
    const sent: StreamMessage[] = [];
    subject.subscribe((m) => sent.push(m));
    const connection = new Connection('c', bob, '0-0', createSubscriber(subject), sink, {
      heartbeatMs: 1_000,
      maxQueuedEvents: 5,
    });
    connection.goLive(new Map());
    jest.advanceTimersByTime(999);
    expect(sent).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(sent).toEqual([{ comment: '' }]);
    connection.offer(event('1-0'));
    jest.advanceTimersByTime(999);
    expect(sent).toHaveLength(2);
    connection.dispose();
  });

  it('ends the stream when the token expires', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { connection, isCompleted } = open();
    connection.endAt(1_000_000 + 5_000);
    jest.advanceTimersByTime(4_999);
    expect(isCompleted()).toBe(false);
    jest.advanceTimersByTime(1);
    expect(isCompleted()).toBe(true);
    expect(connection.closeReason).toBe('token_expired');
    connection.dispose();
  });
});
