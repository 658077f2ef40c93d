import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConnectionService } from '../application/connection.service.js';
import { SubscriptionService } from '../application/subscription.service.js';
import { rememberPrincipal } from '../auth/request-principal.js';
import type { ClientPrincipal } from '../domain/index.js';
import { OpenTelemetryHubTracer } from '../observability/open-telemetry-hub-tracer.js';
import { refuseCrossSiteCookieSubscription } from './cross-site-subscription.js';
import { FlushScheduler } from './flush-scheduler.js';
import { SSE_HEADERS, SseResponseWriter } from './sse-response-writer.js';
import { parseStreamQuery } from './stream-query.js';

/**
 * Opens an authenticated client's stream on a Node response: what `GET /sse` does once the
 * client is known, whether a Nest controller or the HTTP-server route serves it.
 */
@Injectable()
export class StreamOpener {
  constructor(
    private readonly connections: ConnectionService,
    private readonly subscriptions: SubscriptionService,
    private readonly scheduler: FlushScheduler,
    private readonly tracer: OpenTelemetryHubTracer,
  ) {}

  /**
   * Everything that can fail (topics, limits, the broker) is settled before the
   * first frame, so a failure rejects while the response can still be an ordinary JSON error.
   * @throws DomainError before any byte is written
   */
  async open(
    principal: ClientPrincipal,
    query: Record<string, unknown>,
    lastEventIdHeader: string | undefined,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const { topics, lastEventId } = parseStreamQuery(query, lastEventIdHeader);
    refuseCrossSiteCookieSubscription({ headers: request.headers, query }, topics);
    this.connections.admit(principal.clientId);
    if (request.method === 'HEAD') {
      // What a GET would answer, without opening a stream (that would never end) or subscribing.
      response.writeHead(200, SSE_HEADERS);
      response.end();
      return;
    }
    // Already there when a guard authenticated the request (the controller endpoint).
    rememberPrincipal(request, principal);
    const setup = this.tracer.streamSetup(request.headers, principal.clientId, lastEventId !== undefined);
    try {
      if (topics.length > 0) {
        await this.subscriptions.subscribe(principal, topics);
      }
      const sink = new SseResponseWriter(request, response, this.scheduler);
      setup.succeeded(await this.connections.connect(principal, { lastEventId, sink, traceId: setup.traceId }).ready);
    } catch (error) {
      setup.failed(error);
      throw error;
    }
  }
}
