import { BrokerUnavailableError, DomainError } from '../../domain/index.js';

/** The name of the error a publish gets when `WAIT` came back short (RedisConnections). @internal */
export const REPLICAS_NOT_CONFIRMED = 'ReplicasNotConfirmed';

/**
 * What a failed Redis call becomes for the hub: a `BrokerUnavailableError` (503), whatever went
 * wrong (refused connection, closed socket, timeout, a full server answering OOM). The reason is
 * generic on purpose: ioredis messages name hosts and ports, which an HTTP client has no use for.
 * Domain errors (a closed adapter) pass through unchanged.
 * @internal
 */
export function toBrokerError(error: unknown): Error {
  if (error instanceof DomainError) {
    return error;
  }
  const name = error instanceof Error ? error.name : '';
  return new BrokerUnavailableError(REASONS[name] ?? 'redis is unreachable');
}

/** What a client is told, by the name of the error (never its message, which names hosts). */
const REASONS: Readonly<Record<string, string>> = {
  ReplyError: 'redis refused the command',
  [REPLICAS_NOT_CONFIRMED]: 'redis replicas did not confirm the event in time; it may still be delivered',
};
