import { Controller, Get, Headers, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CurrentClient } from '../auth/current-client.decorator.js';
import { JwtClientGuard } from '../auth/jwt-client.guard.js';
import type { ClientPrincipal } from '../domain/index.js';
import { ConnectRateGuard } from './rate-limit.guards.js';
import { StreamErrorFilter } from './stream-error.filter.js';
import { StreamOpener } from './stream-opener.js';

/**
 * GET /sse: the client's event stream, served as a Nest route (`streamEndpoint: 'controller'`),
 * so the host's global guards, interceptors, middleware and filters apply to it. With
 * `streamEndpoint: 'http-server'` GET and HEAD requests are answered by `HttpServerStreamRoute`
 * before they reach Express, and this route only documents the endpoint.
 *
 * The frames are written straight to the response rather than through an `@Sse()` Observable:
 * Nest formats every message for every connection and writes each in its own promise, while
 * here an event is encoded once for all its connections and a connection's pending frames go
 * out in one write (see docs/benchmarks.md). The wire format and headers are Nest's. Host apps
 * that want their own `@Sse()` route get the same stream as an Observable from
 * `NotificationService.openStream()`.
 */
@Controller('sse')
@UseGuards(ConnectRateGuard, JwtClientGuard)
@UseFilters(StreamErrorFilter)
export class SseController {
  constructor(private readonly opener: StreamOpener) {}

  /**
   * Failures (token, topics, limits) are JSON answers and no stream opens; what the client only has
   * to retry later (rate, a full or closing instance, the broker) is a 200 carrying `retry:`. A Last-Event-ID
   * the hub cannot read or place is not a failure: 200 with `recovered: false`.
   */
  @Get()
  async stream(
    @CurrentClient() principal: ClientPrincipal,
    @Query() query: Record<string, unknown>,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @Req() request: IncomingMessage,
    @Res() response: ServerResponse,
  ): Promise<void> {
    return this.opener.open(principal, query, lastEventIdHeader, request, response);
  }
}
