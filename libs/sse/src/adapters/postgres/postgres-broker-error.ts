import { BrokerUnavailableError, DomainError } from '../../domain/index.js';

/** SQLSTATE classes that mean the connection or the server went away, not the statement. */
const CONNECTION_CLASSES = ['08', '57'];

/**
 * What a failed PostgreSQL call becomes for the hub: a `BrokerUnavailableError` (503), whatever
 * went wrong (refused connection, a server shutting down, a timeout, an error the server
 * answered). The reason is generic on purpose: pg's messages name hosts, ports and sometimes
 * users, which an HTTP client has no use for. Domain errors (a closed adapter) pass through.
 * @internal
 */
export function toBrokerError(error: unknown): Error {
  if (error instanceof DomainError) {
    return error;
  }
  // pg sets `code` to the server's five-character SQLSTATE when the server answered; socket
  // errors carry Node's codes (ECONNREFUSED…) or none.
  const code = (error as { code?: unknown } | null)?.code;
  const refused =
    typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !CONNECTION_CLASSES.includes(code.slice(0, 2));
  return new BrokerUnavailableError(refused ? 'postgresql refused the statement' : 'postgresql is unreachable');
}
