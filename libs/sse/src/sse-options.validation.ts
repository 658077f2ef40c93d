import { SSE_DEFAULTS } from './sse.constants.js';
import type { SseModuleOptions } from './sse-module-options.interface.js';

/** Options with every default filled in. */
export type ResolvedSseOptions = Required<Omit<SseModuleOptions, 'adapters'>> &
  Pick<SseModuleOptions, 'adapters'>;

/**
 * Fills in defaults and checks every option at once, so a bad configuration fails start-up with
 * one error that lists every problem instead of the first.
 * @throws SseOptionsError
 */
export function resolveSseOptions(options: SseModuleOptions): ResolvedSseOptions {
  const resolved: ResolvedSseOptions = {
    broker: 'memory',
    heartbeatMs: SSE_DEFAULTS.heartbeatMs,
    retryMs: SSE_DEFAULTS.retryMs,
    historySize: SSE_DEFAULTS.historySize,
    maxQueuedEvents: SSE_DEFAULTS.maxQueuedEvents,
    subscriptionGracePeriodMs: SSE_DEFAULTS.subscriptionGracePeriodMs,
    maxBodyBytes: SSE_DEFAULTS.maxBodyBytes,
    maxTopicsPerClient: SSE_DEFAULTS.maxTopicsPerClient,
    maxConnectionsPerClient: SSE_DEFAULTS.maxConnectionsPerClient,
    maxConnections: SSE_DEFAULTS.maxConnections,
    publishRatePerSecond: SSE_DEFAULTS.publishRatePerSecond,
    connectRatePerMinute: SSE_DEFAULTS.connectRatePerMinute,
    ...withoutUndefined(options),
    jwtSecret: options.jwtSecret,
  };
  const problems: string[] = [];
  if (typeof resolved.jwtSecret !== 'string' || resolved.jwtSecret.length === 0) {
    problems.push('jwtSecret must be a non-empty string');
  }
  if (resolved.broker !== 'memory') {
    problems.push(`broker must be 'memory' (got ${JSON.stringify(resolved.broker)})`);
  }
  const positive: (keyof ResolvedSseOptions)[] = [
    'heartbeatMs',
    'historySize',
    'maxQueuedEvents',
    'maxBodyBytes',
    'maxTopicsPerClient',
    'maxConnectionsPerClient',
    'maxConnections',
  ];
  for (const key of positive) {
    const value = resolved[key];
    if (!Number.isSafeInteger(value) || (value as number) < 1) {
      problems.push(`${key} must be a positive integer (got ${JSON.stringify(value)})`);
    }
  }
  for (const key of ['retryMs', 'subscriptionGracePeriodMs', 'publishRatePerSecond', 'connectRatePerMinute'] as const) {
    const value = resolved[key];
    if (!Number.isSafeInteger(value) || value < 0) {
      problems.push(`${key} must be a non-negative integer (got ${JSON.stringify(value)})`);
    }
  }
  if (problems.length > 0) {
    throw new SseOptionsError(problems);
  }
  return resolved;
}

/** A bad module configuration, with every problem found. */
export class SseOptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`sse-hub: invalid SseModule options:\n- ${problems.join('\n- ')}`);
    this.name = 'SseOptionsError';
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
