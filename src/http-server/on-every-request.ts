import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * A provider that sees every request the HTTP server receives, as a `request` listener on the
 * server itself rather than as Nest middleware. Middleware only sees what reaches Express, and
 * some requests never do: the stream route (`GET /sse`) is answered by its own listener ahead of
 * Express, to keep each long-lived connection small. Concerns that must cover every request
 * (the access log, the shutdown's wait for open responses) are built on this instead.
 *
 * The listener is prepended, so it runs before Express and any other listener, and sees
 * `request.url` as it arrived (Express rewrites it later for mounted routers). It is removed
 * again when the application shuts down.
 */
@Injectable()
export abstract class OnEveryRequest implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;
  private readonly listener = (request: IncomingMessage, response: ServerResponse): void =>
    this.onRequest(request, response);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Called synchronously for each request, before anything answers it: keep it cheap. */
  protected abstract onRequest(request: IncomingMessage, response: ServerResponse): void;

  onApplicationBootstrap(): void {
    // An application context without HTTP (no adapter) has no requests to see.
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) {
      return;
    }
    this.server = server;
    server.prependListener('request', this.listener);
  }

  onApplicationShutdown(): void {
    this.server?.removeListener('request', this.listener);
    this.server = undefined;
  }
}
