/**
 * A bad module configuration, with every problem found.
 * @publicApi
 */
export class SseOptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`sse-hub: invalid SseModule options:\n- ${problems.join('\n- ')}`);
    this.name = 'SseOptionsError';
  }
}
