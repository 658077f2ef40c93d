import { BrokerUnavailableError, DomainError } from '../../domain/index.js';

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
  // pg sets `code` to the server's SQLSTATE when the server answered; otherwise it never got there.
  const answered = typeof (error as { code?: unknown } | null)?.code === 'string' &&
    /^[0-9A-Z]{5}$/.test((error as { code: string }).code) &&
    !(error as { code: string }).code.startsWith('08') &&
    !(error as { code: string }).code.startsWith('57');
  return new BrokerUnavailableError(answered ? 'postgresql refused the statement' : 'postgresql is unreachable');
}
