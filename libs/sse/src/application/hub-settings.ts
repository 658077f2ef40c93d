/** The settings the application layer runs on, resolved from the module options. */
export interface HubSettings {
  readonly heartbeatMs: number;
  readonly retryMs: number;
  readonly historySize: number;
  readonly maxQueuedEvents: number;
  readonly maxTopicsPerClient: number;
  readonly maxConnectionsPerClient: number;
  readonly maxConnections: number;
  /** How long a publish waits to learn how many local connections took its event. */
  readonly deliveryReportTimeoutMs: number;
}

export const HubSettings = Symbol('HubSettings');
