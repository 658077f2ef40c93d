import { BrokerUnavailableError, DomainError } from '../../domain/index.js';

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
  return new BrokerUnavailableError(
    name === 'ReplyError' ? 'redis refused the command' : 'redis is unreachable',
  );
}
