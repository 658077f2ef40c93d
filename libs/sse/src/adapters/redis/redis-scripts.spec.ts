import { HUB_SCRIPTS } from './redis-scripts.js';
import { KEY_SHAPES, redisKeys } from './redis-keys.js';

/**
 * The scripts name their KEYS and ARGV once (their contract); these checks keep the Lua bodies to
 * those names, so a script cannot read a key or argument the TypeScript side does not pass.
 */
describe('Redis script contracts', () => {
  const body = (lua: string) => lua.split('\n').filter((line) => !/^local (KEY|ARG)_\w+ = (KEYS|ARGV)\[\d+\]$/.test(line)).join('\n');

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
      expect((keys[shape as keyof typeof KEY_SHAPES] as (id: string) => string)('c1')).toBe(`hub:${before}c1${after}`);
    }
  });
});
