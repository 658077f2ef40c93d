import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import cors from 'cors';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import proxyAddress from 'proxy-addr';
import { authenticateRequest } from '../auth/authenticate-request.js';
import { rememberClientAddress } from '../auth/request-principal.js';
import { SseAuthenticator } from '../auth/sse-authenticator.js';
import type { StreamMiddleware } from '../sse-module-options.interface.js';
import { SSE_ROUTE_PATH } from '../sse.module-definition.js';
import { SSE_RESOLVED_OPTIONS, type ResolvedSseOptions } from '../sse-resolved-options.js';
import { errorResponseOf, writeErrorResponse } from './error-response.js';
import { ConnectRateGuard } from './rate-limit.guards.js';
import { StreamOpener } from './stream-opener.js';
import { StreamRetryAnswers } from './stream-retry-answers.js';

/** The Nest app's request listener: for Express, the app itself, which also holds its settings. */
type RequestListener = ((request: IncomingMessage, response: ServerResponse) => void) & {
  get?(setting: string): unknown;
};
type TrustProxy = (address: string, hop: number) => boolean;

/**
 * Serves `GET /sse` (and `HEAD`) from a `request` listener on the HTTP server, ahead of the Nest
 * app (`streamEndpoint: 'http-server'`, the default); every other request goes on to the app untouched.
 *
 * Why: an open stream keeps its request and response alive for hours, and once Express has set
 * their prototypes and added its fields, V8 gives each of them a hidden class of its own
 * (~2 KB per stream, and megamorphic property access on every write of a fan-out), besides the
 * router's and Nest's per-request closures. Answered here, an idle stream holds ~8.1 KB of heap
 * instead of ~12.6 KB, and a fan-out costs ~12 µs of CPU per delivery instead of ~15-18 µs
 * (`npm run bench`, see docs/benchmarks.md).
 *
 * The checks are the module's own, in the controller's order: the per-address attempt limit,
 * the token, then the stream itself (topics, limits, broker); failures get the
 * same JSON answers.
 */
@Injectable()
export class HttpServerStreamRoute implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('SseStreamRoute');
  /** The host's `streamMiddleware`, then CORS: what Express would have run before the route. */
  private middleware: readonly StreamMiddleware[];
  private server?: Server;
  private app?: RequestListener;
  private streamPath = '/sse';
  private closing = false;

  constructor(
    @Inject(SSE_RESOLVED_OPTIONS) private readonly options: ResolvedSseOptions,
    @Inject(SSE_ROUTE_PATH) private readonly routePath: string,
    @Inject(SseAuthenticator) private readonly authenticator: SseAuthenticator,
    private readonly adapterHost: HttpAdapterHost,
    private readonly appConfig: ApplicationConfig,
    private readonly connectRate: ConnectRateGuard,
    private readonly opener: StreamOpener,
    private readonly retryAnswers: StreamRetryAnswers,
  ) {
    this.middleware = [
      ...options.streamMiddleware,
      ...(options.cors ? [cors(options.cors as cors.CorsOptions) as StreamMiddleware] : []),
    ];
  }

  /** Puts the route in front of the app's request listener, once the global prefix is known. */
  onApplicationBootstrap(): void {
    const adapter = this.adapterHost.httpAdapter as { getHttpServer?(): unknown; getInstance?(): unknown } | undefined;
    const server = adapter?.getHttpServer?.() as Server | undefined;
    const app = adapter?.getInstance?.() as RequestListener | undefined;
    if (this.options.streamEndpoint !== 'http-server' || !server || !app) {
      return;
    }
    if (!server.listeners('request').includes(app)) {
      this.logger.log('The HTTP server does not call an Express app directly: GET /sse is served by the Nest controller');
      return;
    }
    const appCors = this.options.cors ? undefined : corsMiddlewareOf(app);
    if (appCors) {
      // The app's enableCors() (or NestFactory's `cors`), which Express would have run first.
      this.middleware = [...this.middleware, appCors];
    }
    this.streamPath = joinPath(this.appConfig.getGlobalPrefix(), this.routePath, 'sse');
    this.server = server;
    this.app = app;
    server.removeListener('request', app);
    server.on('request', this.dispatch);
  }

  /** From the start of a shutdown new streams are told to come back (to another instance). */
  onModuleDestroy(): void {
    this.closing = true;
  }

  onApplicationShutdown(): void {
    if (this.server && this.app) {
      this.server.removeListener('request', this.dispatch);
      this.server.on('request', this.app);
    }
  }

  private readonly dispatch = (request: IncomingMessage, response: ServerResponse): void => {
    if ((request.method === 'GET' || request.method === 'HEAD') && this.isStreamPath(request.url)) {
      void this.serve(request, response);
    } else {
      this.app?.(request, response);
    }
  };

  /** `<path>` or `<path>/`, with any query, as Express's non-strict routing matches. */
  private isStreamPath(url: string | undefined): boolean {
    if (url === undefined || !url.startsWith(this.streamPath)) {
      return false;
    }
    const rest = url.slice(this.streamPath.length);
    return rest === '' || rest === '/' || rest.startsWith('?') || rest.startsWith('/?');
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const address = this.clientAddress(request);
      rememberClientAddress(request, address);
      for (const middleware of this.middleware) {
        if (!(await runMiddleware(middleware, request, response))) {
          return;
        }
      }
      if (this.closing) {
        this.retryAnswers.shuttingDown(response);
        return;
      }
      // Who the client is: this endpoint and JwtClientGuard both ask the module's authenticator
      // (the JWT check or the host's own), so both stream endpoints give the same answer.
      this.connectRate.countAttemptFrom(address);
      const query = queryOf(request.url);
      const principal = await authenticateRequest(this.authenticator, request, query);
      // Node joins a repeated unknown header into one string; never an array here.
      const lastEventId = request.headers['last-event-id'] as string | undefined;
      await this.opener.open(principal, query, lastEventId, request, response);
    } catch (error: unknown) {
      this.fail(response, error);
    }
  }

  /**
   * The client's address as Express's `request.ip` gives it: through X-Forwarded-For as far as
   * the app's `trust proxy` setting allows (read per request, so a late `app.set()` counts).
   */
  private clientAddress(request: IncomingMessage): string {
    const trust = this.app?.get?.('trust proxy fn') as TrustProxy | undefined;
    const address = trust ? proxyAddress(request, trust) : request.socket.remoteAddress;
    return address ?? 'unknown';
  }

  private fail(response: ServerResponse, error: unknown): void {
    const answer = errorResponseOf(error);
    if (!answer.expected) {
      // An answer Nest would log too: a bug, not a client mistake.
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    if (response.headersSent || response.destroyed) {
      response.destroy();
      return;
    }
    if (!this.retryAnswers.answer(error, response)) {
      writeErrorResponse(response, answer);
    }
  }
}

/**
 * The CORS middleware the app installed with `enableCors()` (Nest's Express adapter adds the
 * `cors` package's middleware to the app's router), so the stream answers with the same headers
 * without being told twice.
 */
function corsMiddlewareOf(app: RequestListener): StreamMiddleware | undefined {
  const router = (app as { router?: { stack?: { name?: string; handle?: StreamMiddleware }[] } }).router;
  return router?.stack?.find((layer) => layer.name === 'corsMiddleware')?.handle;
}

/** Runs one middleware; false when it answered the request itself instead of calling `next`. */
function runMiddleware(middleware: StreamMiddleware, request: IncomingMessage, response: ServerResponse): Promise<boolean> {
  return new Promise((resolve, reject) => {
    // Answered (or the client gone) without `next`: nothing more to do for this request.
    const onFinish = (): void => resolve(false);
    response.once('close', onFinish);
    middleware(request, response, (error?: unknown) => {
      response.off('close', onFinish);
      if (error) {
        reject(error);
      } else {
        resolve(true);
      }
    });
    if (response.writableEnded) {
      response.off('close', onFinish);
      resolve(false);
    }
  });
}

/** The query of a request URL, parsed as Express's default ("simple") query parser does. */
function queryOf(url: string | undefined): Record<string, unknown> {
  const start = url?.indexOf('?') ?? -1;
  return start < 0 || url === undefined ? {} : { ...parseQuery(url.slice(start + 1)) };
}

/** `/prefix/path/sse` from parts that may or may not carry slashes. */
function joinPath(...parts: string[]): string {
  return '/' + parts.flatMap((part) => part.split('/')).filter((segment) => segment !== '').join('/');
}
