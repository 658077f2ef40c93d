import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InFlightRequests } from './in-flight-requests.js';

@Injectable()
export class InFlightRequestsMiddleware implements NestMiddleware {
  constructor(private readonly inFlight: InFlightRequests) {}

  use(_request: IncomingMessage, response: ServerResponse, next: () => void): void {
    this.inFlight.track(response);
    next();
  }
}
