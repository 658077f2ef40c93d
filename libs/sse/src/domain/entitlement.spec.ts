import type { ClientId } from './client-id.js';
import { isEntitled } from './entitlement.js';
import type { EventType } from './event-type.js';
import type { HubEvent } from './hub-event.js';
import type { Topic } from './topic.js';

const alice = 'alice' as ClientId;
const event = (id: string, target: HubEvent['target']): HubEvent => ({
  id,
  type: 'x' as EventType,
  data: null,
  target,
});

describe('entitlement', () => {
  const subscriptions = new Map([['news' as Topic, '100-0']]);

  it('gives a client its own events and broadcasts only', () => {
    expect(isEntitled(event('1-0', { kind: 'client', clientId: alice }), alice, new Map())).toBe(true);
    expect(isEntitled(event('1-0', { kind: 'client', clientId: 'bob' as ClientId }), alice, new Map())).toBe(false);
    expect(isEntitled(event('1-0', { kind: 'broadcast' }), alice, new Map())).toBe(true);
  });

  it('gives topic events published after the subscription only', () => {
    const news = { kind: 'topic', topic: 'news' as Topic } as const;
    expect(isEntitled(event('99-9', news), alice, subscriptions)).toBe(false);
    expect(isEntitled(event('100-0', news), alice, subscriptions)).toBe(false);
    expect(isEntitled(event('100-1', news), alice, subscriptions)).toBe(true);
    expect(isEntitled(event('200-0', { kind: 'topic', topic: 'other' as Topic }), alice, subscriptions)).toBe(false);
  });
});
