import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { DomainError } from '../domain/index.js';
import { domainErrorResponse } from './error-response.js';

interface JsonResponse {
  status(code: number): JsonResponse;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
}

/** Answers domain errors as `{ statusCode, error, message, code }` (see `domainErrorResponse`). */
@Catch(DomainError)
export class DomainErrorFilter implements ExceptionFilter<DomainError> {
  catch(error: DomainError, host: ArgumentsHost): void {
    const { status, body, headers } = domainErrorResponse(error);
    const response = host.switchToHttp().getResponse<JsonResponse>();
    for (const [name, value] of Object.entries(headers)) {
      response.setHeader(name, value);
    }
    response.status(status).json(body);
  }
}
