import { SSE_DEFAULTS } from './sse.constants.js';
import { resolveSseOptions, SseOptionsError } from './sse-options.validation.js';

describe('resolveSseOptions', () => {
  it('fills in the documented defaults', () => {
    expect(resolveSseOptions({ jwtSecret: 's' })).toMatchObject({
      broker: 'memory',
      heartbeatMs: SSE_DEFAULTS.heartbeatMs,
      retryMs: 3_000,
      historySize: 10_000,
      maxBodyBytes: 65_536,
    });
  });

  it('lists every problem in one error', () => {
    let error: SseOptionsError | undefined;
    try {
      resolveSseOptions({ jwtSecret: '', heartbeatMs: 0, historySize: 1.5, retryMs: -1 });
    } catch (e) {
      error = e as SseOptionsError;
    }
    expect(error).toBeInstanceOf(SseOptionsError);
    expect(error?.problems).toEqual([
      'jwtSecret must be a non-empty string',
      'heartbeatMs must be a positive integer (got 0)',
      'historySize must be a positive integer (got 1.5)',
      'retryMs must be a non-negative integer (got -1)',
    ]);
    expect(error?.message).toContain('- heartbeatMs');
  });
});
