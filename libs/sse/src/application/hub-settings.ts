/**
 * The settings the application layer runs on: the module's resolved options, bound under this
 * token (a field added here must be an option of the same name).
 */
export interface HubSettings {
  readonly heartbeatMs: number;
  readonly retryMs: number;
  readonly historySize: number;
  readonly maxQueuedEvents: number;
  readonly maxQueuedBytes: number;
  readonly idempotencyWindowMs: number;
  readonly maxTopicsPerClient: number;
  readonly maxConnectionsPerClient: number;
  readonly maxConnections: number;
  readonly disconnectRefusalMs: number;
  readonly presenceEvents: boolean;
}

export const HubSettings = Symbol('HubSettings');
