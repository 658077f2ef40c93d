import { eventually } from '../../libs/sse/src/testing/hub-fixture.js';

/**
 * Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`.
 * Tests wait on what a user would see, never on a fixed sleep.
 */
export function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 5_000, intervalMs = 10, what = 'condition' } = {},
): Promise<T> {
  return eventually(probe, what, timeoutMs, intervalMs);
}
