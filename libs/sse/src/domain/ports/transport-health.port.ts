/** The broker's state as a health check reports it. */
export interface BrokerHealth {
  readonly up: boolean;
  /** A short, secret-free description for operators (for example the broker's connection state). */
  readonly details?: Record<string, string | number | boolean>;
}

/**
 * Optional: an adapter that talks to a broker reports whether it can reach it (Mercure's
 * TransportHealthChecker). Adapters without a broker need not implement it.
 */
export interface TransportHealth {
  checkHealth(): Promise<BrokerHealth>;
}

export const TransportHealth = Symbol('TransportHealth');

/** Whether an adapter reports its broker's health (implements `TransportHealth`). */
export function reportsHealth(adapter: object): adapter is TransportHealth {
  return typeof (adapter as Partial<TransportHealth>).checkHealth === 'function';
}
