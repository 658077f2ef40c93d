import { HUB_SCRIPTS, PRELUDE_END, scriptKeys } from './redis-scripts.js';
import { KEY_SHAPES, redisKeys } from './redis-keys.js';

/**
 * The scripts name their KEYS and ARGV once (their contract); these checks keep the Lua bodies to
 * those names, so a script cannot read a key or argument the TypeScript side does not pass.
 */
describe('Redis script contracts', () => {
  const body = (lua: string) => lua.slice(lua.indexOf(PRELUDE_END) + PRELUDE_END.length);

  it.each(Object.entries(HUB_SCRIPTS))('%s reads only the keys and arguments its contract names', (_name, contract) => {
    const declared = new Set([
      ...contract.keys.map((key) => `KEY_${key.replace(/[A-Z]/g, (l) => `_${l}`).toUpperCase()}`),
      ...contract.args.map((arg) => `ARG_${arg.replace(/[A-Z]/g, (l) => `_${l}`).toUpperCase()}`),
    ]);
    const used = new Set(body(contract.lua).match(/\b(KEY|ARG)_[A-Z_]+\b/g) ?? []);
    expect([...used].filter((name) => !declared.has(name))).toEqual([]);
    // Positional access is left to the generated prelude, except the list after the named
    // arguments, which starts at REST.
    expect(body(contract.lua)).not.toMatch(/KEYS\[/);
    expect(body(contract.lua).match(/ARGV\[(?!i\b|i \+ 1\])[^\]]*\]/g) ?? []).toEqual([]);
  });

  it('spells the per-client keys in Lua as redisKeys does in TypeScript', () => {
    const keys = redisKeys('hub');
    const lua = HUB_SCRIPTS.sseSubscriptionsAdd.lua;
    for (const [shape, [before, after]] of Object.entries(KEY_SHAPES)) {
      expect(lua).toContain(`ARG_BASE .. '${before}' .. id .. '${after}'`);
      expect((keys[shape as keyof typeof KEY_SHAPES] as (id: string) => string)('c1')).toBe(`{hub}:${before}c1${after}`);
    }
  });

  it('passes every per-client key a call touches in KEYS, all in the hub\'s one hash slot', () => {
    const keys = redisKeys('hub');
    const shared = { base: keys.base, floor: '0-0', instance: 'i1', gracePeriodMs: 1, leaseMs: 1 };
    expect(scriptKeys(keys, 'sseSubscriptionsAdd', { ...shared, client: 'c1' }, ['t', '0-0'])).toEqual([
      '{hub}:seq', '{hub}:changes', '{hub}:expiry', '{hub}:instances', '{hub}:subs:c1', '{hub}:presence:c1', '{hub}:instance:i1:clients',
    ]);
    expect(scriptKeys(keys, 'sseSweep', { ...shared, lapsed: 'i2', lapsedCount: 1 }, ['c1', 'c2'])).toEqual([
      '{hub}:seq', '{hub}:changes', '{hub}:expiry', '{hub}:instances', '{hub}:instance:i2:clients',
      '{hub}:subs:c1', '{hub}:presence:c1', '{hub}:subs:c2', '{hub}:presence:c2',
    ]);
    const appendArgs = { floor: '0-0', maxLength: 10, base: keys.base };
    const event = (idempotencyKey: string) => ['ping', '{"kind":"broadcast"}', 'null', '', idempotencyKey, '1000'];
    expect(scriptKeys(keys, 'sseAppend', appendArgs, event(''))).toEqual(['{hub}:seq', '{hub}:events', '{hub}:history']);
    expect(scriptKeys(keys, 'sseAppend', appendArgs, [...event('k1'), ...event(''), ...event('k2')])).toEqual([
      '{hub}:seq', '{hub}:events', '{hub}:history', '{hub}:idem:k1', '{hub}:idem:k2',
    ]);
  });

  it('fails a script that spells a per-client key it was not passed', () => {
    for (const contract of Object.values(HUB_SCRIPTS)) {
      const spelled = body(contract.lua).split('\n').filter((line) => line.includes('ARG_BASE ..'));
      expect(spelled.filter((line) => !line.includes('return declared(ARG_BASE ..'))).toEqual([]);
    }
  });
});
