import fc from 'fast-check';
import { compareEventIds } from '../../domain/index.js';
import { fromStoredId, toStoredId } from './postgres-ids.js';
import { channelsOf, hubLockKey, isSchemaName, schemaStatements } from './postgres-schema.js';

describe('PostgreSQL ids', () => {
  const issued = fc
    .tuple(fc.integer({ min: 0, max: 9_000_000_000_000 }), fc.integer({ min: 0, max: 999_999 }))
    .map(([ms, seq]) => `${ms}-${seq}`);
  const anyId = fc
    .tuple(fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }), fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }))
    .map(([ms, seq]) => `${ms}-${seq}`);

  it('converts an issued id to its bigint and back exactly', () => {
    fc.assert(fc.property(issued, (id) => fromStoredId(toStoredId(id)) === id));
    expect(toStoredId('1764400000000-7')).toBe('1764400000000000007');
  });

  it('keeps the order of any id a client may send against every issued id', () => {
    fc.assert(
      fc.property(anyId, issued, (given, stored) => {
        const sign = Math.sign(compareEventIds(given, stored));
        const asStored = BigInt(toStoredId(given));
        const other = BigInt(toStoredId(stored));
        // A made-up id may share a bigint with an issued one only if nothing lies between them.
        return sign > 0 ? asStored >= other : sign < 0 ? asStored < other : asStored === other;
      }),
    );
  });

  it('refuses what is not an event id', () => {
    expect(() => toStoredId('12')).toThrow(TypeError);
  });
});

describe('PostgreSQL schema', () => {
  it('takes plain lowercase identifiers only, so a name never needs quoting', () => {
    expect(['sse_hub', 'a', '_x1'].every(isSchemaName)).toBe(true);
    expect(['SseHub', '1abc', 'a-b', 'a;drop', '', 'x'.repeat(41)].some(isSchemaName)).toBe(false);
    expect(() => schemaStatements('a;drop')).toThrow(RangeError);
  });

  it('keeps hubs in other schemas apart: channels and lock keys per schema', () => {
    expect(channelsOf('one').feed).not.toBe(channelsOf('two').feed);
    expect(hubLockKey('one')).not.toBe(hubLockKey('two'));
    expect(BigInt(hubLockKey('one'))).toBeLessThan(2n ** 63n);
  });
});
