import { Catch, Injectable, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { DomainError } from '../domain/index.js';
import { DomainErrorFilter } from './domain-error.filter.js';
import { StreamRetryAnswers } from './stream-retry-answers.js';

/**
 * The stream controller's filter: what the client only has to retry later is answered so that
 * an EventSource does retry (see `StreamRetryAnswers`); every other domain error is the usual
 * JSON answer. The same answers as `HttpServerStreamRoute` gives.
 */
@Catch(DomainError)
@Injectable()
export class StreamErrorFilter implements ExceptionFilter<DomainError> {
  private readonly json = new DomainErrorFilter();

  constructor(private readonly retryAnswers: StreamRetryAnswers) {}

  catch(error: DomainError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<ServerResponse>();
    if (response.headersSent || !this.retryAnswers.answer(error, response)) {
      this.json.catch(error, host);
    }
  }
}
