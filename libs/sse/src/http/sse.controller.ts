import { Controller, Get, Headers, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CurrentClient } from '../auth/current-client.decorator.js';
import { JwtClientGuard } from '../auth/jwt-client.guard.js';
import type { ClientPrincipal } from '../domain/index.js';
import { ApiClientAuth } from './api-docs.js';
import { DomainErrorFilter } from './domain-error.filter.js';
import { ErrorBodyDto } from './dto/error-body.dto.js';
import { ConnectRateGuard } from './rate-limit.guards.js';
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
@ApiTags('stream')
@ApiClientAuth()
@Controller('sse')
@UseGuards(ConnectRateGuard, JwtClientGuard)
@UseFilters(DomainErrorFilter)
export class SseController {
  constructor(private readonly opener: StreamOpener) {}

  /**
   * Failures (token, topics, limits, the broker) are JSON answers; no stream opens. A Last-Event-ID
   * the hub cannot read or place is not a failure: 200 with `recovered: false`.
   */
  @Get()
  @ApiOperation({
    summary: "The client's event stream (Server-Sent Events)",
    description:
      'First `retry:` and a `connected` event `{ clientId, connectionId, recovered? }`, then replayed ' +
      'events after Last-Event-ID, then live events (`id:`, `event:`, `data:`), with comment heartbeats. `recovered` is false when a Last-Event-ID cannot be resumed from: history no longer reaches back, began after it, never reached it, or cannot read it.',
  })
  @ApiQuery({ name: 'topic', required: false, isArray: true, type: String, description: 'Topic to subscribe on connect (repeatable)' })
  @ApiQuery({ name: 'topics', required: false, type: String, description: 'Comma-separated topics to subscribe on connect' })
  @ApiQuery({ name: 'lastEventId', required: false, type: String, description: 'Resume after this id (for clients that cannot send Last-Event-ID)' })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this id; wins over lastEventId' })
  @ApiOkResponse({ description: 'An endless text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiBadRequestResponse({ description: 'A bad topic; no stream opens (a Last-Event-ID the hub cannot read opens it with recovered: false)', type: ErrorBodyDto })
  @ApiForbiddenResponse({
    description: "A topic outside the token's claim, or `?topic=` with the `sse_token` cookie on a cross-site request; no stream opens",
    type: ErrorBodyDto,
  })
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
