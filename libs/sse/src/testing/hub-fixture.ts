/**
 * What the contract suites run against: one hub, made of as many instances as a test asks for.
 * Instances of one hub share a broker, so what one accepts the others see. A single-process
 * adapter has one instance: `instance()` then returns the same one every time.
 * @publicApi
 */
export interface HubFixture<T> {
  /** Another instance of the same hub (or the only one). */
  instance(): Promise<T>;
  /** Closes every instance it made, and removes whatever the hub left in its broker. */
  close(): Promise<void>;
}

/** Something a suite can close, when an adapter offers it. */
export interface MaybeClosable {
  close?(): void | Promise<void>;
}

/**
 * Polls `probe` until it returns something other than undefined/false; fails after `timeoutMs`.
 * The suites wait on what an adapter reports, never on a fixed sleep.
 */
export async function eventually<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5_000,
  intervalMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Lets time pass. Only for showing that something does NOT happen within a period (a grace
 * period that must not end early); anything that does happen is awaited with `eventually`.
 */
export const elapse = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
