import type { ClientId, Subscription, Topic } from '../domain/index.js';
import { LocalSubscriptions } from './local-subscriptions.js';

const ann = 'ann' as ClientId;
const sub = (topic: string, since = '1-0'): Subscription => ({ topic: topic as Topic, since });
const topicsOf = (local: LocalSubscriptions) => [...local.of(ann).keys()].sort();

describe('LocalSubscriptions', () => {
  it('indexes a client both ways once its subscriptions are loaded', () => {
    const local = new LocalSubscriptions();
    local.track(ann);
    local.load(ann, [sub('a'), sub('b')]);
    expect(topicsOf(local)).toEqual(['a', 'b']);
    expect(local.subscribersOf('a' as Topic)).toEqual(new Set([ann]));
    local.untrack(ann);
    expect(local.subscribersOf('a' as Topic)).toBeUndefined();
  });

  it('does not let a read older than a removal bring the topic back', () => {
    const local = new LocalSubscriptions();
    local.track(ann);
    local.apply({ kind: 'removed', clientId: ann, topics: ['a' as Topic] });
    local.load(ann, [sub('a'), sub('b')]);
    expect(topicsOf(local)).toEqual(['b']);
  });

  it('keeps a topic that was removed and added again while loading', () => {
    const local = new LocalSubscriptions();
    local.track(ann);
    local.apply({ kind: 'removed', clientId: ann, topics: ['a' as Topic] });
    local.apply({ kind: 'added', clientId: ann, subscriptions: [sub('a', '9-0')] });
    local.load(ann, [sub('a'), sub('b')]);
    expect(topicsOf(local)).toEqual(['a', 'b']);
    expect(local.of(ann).get('a' as Topic)).toBe('9-0');
  });

  it('ignores a read older than an expiry', () => {
    const local = new LocalSubscriptions();
    local.track(ann);
    local.apply({ kind: 'expired', clientId: ann });
    local.load(ann, [sub('a')]);
    expect(topicsOf(local)).toEqual([]);
  });
});
