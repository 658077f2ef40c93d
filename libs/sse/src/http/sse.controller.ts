import { Controller, Headers, Query, Req, Sse, UseFilters, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Observable } from 'rxjs';
import { ConnectionService } from '../application/connection.service.js';
import type { StreamMessage } from '../application/stream-message.js';
import { SubscriptionService } from '../application/subscription.service.js';
import { CurrentClient } from '../auth/current-client.decorator.js';
import { JwtClientGuard } from '../auth/jwt-client.guard.js';
import type { ClientPrincipal } from '../domain/index.js';
import { ApiClientAuth } from './api-docs.js';
import { DomainErrorFilter } from './domain-error.filter.js';
import { ErrorBodyDto } from './dto/error-body.dto.js';
import { expressConnectionSink } from './express-connection-sink.js';
import { parseStreamQuery } from './stream-query.js';

/** GET /sse: the client's event stream. */
@ApiTags('stream')
@ApiClientAuth()
@Controller('sse')
@UseGuards(JwtClientGuard)
@UseFilters(DomainErrorFilter)
export class SseController {
  constructor(
    private readonly connections: ConnectionService,
    private readonly subscriptions: SubscriptionService,
  ) {}

  /**
   * Everything that can fail (token, topics, Last-Event-ID) is checked before the Observable is
   * returned, so failures are ordinary JSON 4xx answers and no stream opens.
   */
  // The connection applies its own, event-counted bound (maxQueuedEvents); Nest's
  // character-counted one stays as a backstop for frames already handed to it.
  @Sse()
  @ApiOperation({
    summary: "The client's event stream (Server-Sent Events)",
    description:
      'First `retry:` and a `connected` event `{ clientId, connectionId, recovered? }`, then replayed ' +
      'events after Last-Event-ID, then live events (`id:`, `event:`, `data:`), with comment heartbeats.',
  })
  @ApiQuery({ name: 'topic', required: false, isArray: true, type: String, description: 'Topic to subscribe on connect (repeatable)' })
  @ApiQuery({ name: 'topics', required: false, type: String, description: 'Comma-separated topics to subscribe on connect' })
  @ApiQuery({ name: 'lastEventId', required: false, type: String, description: 'Resume after this id (for clients that cannot send Last-Event-ID)' })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this id; wins over lastEventId' })
  @ApiOkResponse({ description: 'An endless text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiBadRequestResponse({ description: 'A bad topic or Last-Event-ID; no stream opens', type: ErrorBodyDto })
  async stream(
    @CurrentClient() principal: ClientPrincipal,
    @Query() query: Record<string, unknown>,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @Req() request: IncomingMessage & { res: ServerResponse },
  ): Promise<Observable<StreamMessage>> {
    const { topics, lastEventId } = parseStreamQuery(query, lastEventIdHeader);
    if (topics.length > 0) {
      await this.subscriptions.subscribe(principal, topics);
    }
    return this.connections.open(principal, {
      lastEventId,
      sink: expressConnectionSink(request.res),
    });
  }
}
