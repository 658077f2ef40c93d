import { HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { DomainError, IdentityProviderUnavailableError, RateLimitedError } from '../domain/index.js';

/** The one place domain error codes become HTTP statuses. */
const STATUS_BY_CODE: Readonly<Record<string, HttpStatus>> = {
  'TOPIC.INVALID_NAME': HttpStatus.BAD_REQUEST,
  'TOPIC.TOO_MANY': HttpStatus.BAD_REQUEST,
  'TOPIC.NOT_ALLOWED': HttpStatus.FORBIDDEN,
  'EVENT.INVALID_TYPE': HttpStatus.BAD_REQUEST,
  'EVENT.INVALID_DATA': HttpStatus.BAD_REQUEST,
  'EVENT.INVALID_ID': HttpStatus.BAD_REQUEST,
  'CLIENT.INVALID_ID': HttpStatus.BAD_REQUEST,
  'CLIENT.TOO_MANY_CONNECTIONS': HttpStatus.TOO_MANY_REQUESTS,
  'RATE.LIMITED': HttpStatus.TOO_MANY_REQUESTS,
  'HUB.FULL': HttpStatus.SERVICE_UNAVAILABLE,
  'BROKER.UNAVAILABLE': HttpStatus.SERVICE_UNAVAILABLE,
  'TRANSPORT.CLOSED': HttpStatus.SERVICE_UNAVAILABLE,
  'AUTH.PROVIDER_UNAVAILABLE': HttpStatus.SERVICE_UNAVAILABLE,
  'PUBLISH.INVALID_IDEMPOTENCY_KEY': HttpStatus.BAD_REQUEST,
  'PUBLISH.IDEMPOTENCY_UNSUPPORTED': HttpStatus.NOT_IMPLEMENTED,
  'PUBLISH.INVALID_TARGET': HttpStatus.BAD_REQUEST,
  'CLIENT.DISCONNECTED': HttpStatus.FORBIDDEN,
};

/** An error answer: status, JSON body and any extra headers. */
export interface ErrorResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Readonly<Record<string, string>>;
  /** A domain error or an HTTP exception: the client's doing, nothing to log. */
  readonly expected: boolean;
}

/**
 * `{ statusCode, error, message, code }` for a domain error, with `Retry-After` when rate limited
 * or when the identity provider's keys cannot be fetched.
 */
export function domainErrorResponse(error: DomainError): ErrorResponse {
  const status = STATUS_BY_CODE[error.code] ?? HttpStatus.BAD_REQUEST;
  const headers: Record<string, string> =
    error instanceof RateLimitedError || error instanceof IdentityProviderUnavailableError
      ? { 'Retry-After': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) }
      : {};
  return {
    status,
    body: { statusCode: status, error: STATUS_CODES[status], message: error.message, code: error.code },
    headers,
    expected: true,
  };
}

/**
 * What Nest would answer for `error`: the domain filter's shape for domain errors, Nest's own
 * `{ statusCode, message, error }` for HTTP exceptions, and a bare 500 for anything else (whose
 * message may carry internals, so it is not sent).
 */
export function errorResponseOf(error: unknown): ErrorResponse {
  if (error instanceof DomainError) {
    return domainErrorResponse(error);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const answer = error.getResponse();
    const body = typeof answer === 'object' ? (answer as Record<string, unknown>) : { statusCode: status, message: answer };
    return { status, body, headers: {}, expected: true };
  }
  const status = HttpStatus.INTERNAL_SERVER_ERROR;
  return { status, body: { statusCode: status, message: 'Internal server error' }, headers: {}, expected: false };
}

/** Writes an error answer on a plain Node response (no Express helpers needed). */
export function writeErrorResponse(response: ServerResponse, { status, body, headers }: ErrorResponse): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}
