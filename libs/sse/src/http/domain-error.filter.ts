import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { DomainError, RateLimitedError } from '../domain/index.js';

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
};

interface JsonResponse {
  status(code: number): JsonResponse;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
}

/** Answers domain errors as `{ statusCode, error, message, code }`. */
@Catch(DomainError)
export class DomainErrorFilter implements ExceptionFilter<DomainError> {
  catch(error: DomainError, host: ArgumentsHost): void {
    const statusCode = STATUS_BY_CODE[error.code] ?? HttpStatus.BAD_REQUEST;
    const response = host.switchToHttp().getResponse<JsonResponse>();
    if (error instanceof RateLimitedError) {
      response.setHeader('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
    }
    response
      .status(statusCode)
      .json({ statusCode, error: STATUS_CODES[statusCode], message: error.message, code: error.code });
  }
}
