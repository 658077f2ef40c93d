import { BEGINNING, compareEventIds, isEventId, nextEventId } from './event-id.js';

describe('event ids', () => {
  it('recognises only <ms>-<seq> ids', () => {
    expect(isEventId('1700000000000-0')).toBe(true);
    expect(isEventId(BEGINNING)).toBe(true);
    for (const bad of ['', '1', '1-', '-1', 'a-1', '1-1-1', ' 1-1', '1-1\n', '1'.repeat(16) + '-0', 1, null]) {
      expect(isEventId(bad)).toBe(false);
    }
  });

  it('compares by time, then by sequence, not as strings', () => {
    expect(compareEventIds('9-0', '10-0')).toBeLessThan(0);
    expect(compareEventIds('10-2', '10-10')).toBeLessThan(0);
    expect(compareEventIds('10-1', '10-1')).toBe(0);
    expect(compareEventIds('11-0', '10-99')).toBeGreaterThan(0);
  });

  it('keeps increasing when the clock stands still or steps back', () => {
    let id = BEGINNING;
    const seen: string[] = [];
    for (const now of [100, 100, 100, 99, 50, 101, 101]) {
      id = nextEventId(id, now);
      seen.push(id);
    }
    expect(seen).toEqual(['100-0', '100-1', '100-2', '100-3', '100-4', '101-0', '101-1']);
  });
});
