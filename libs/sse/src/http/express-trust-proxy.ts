import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SSE_RESOLVED_OPTIONS, type ResolvedSseOptions } from '../sse-resolved-options.js';

/**
 * Puts `trustProxy` into the Express app's `trust proxy` setting. Express then derives
 * `request.ip` from `X-Forwarded-For` as far as it trusts the hops, and the stream route on the
 * HTTP server reads the same setting: one notion of the client's address for the connect limit
 * on both stream endpoints and for the app's own logs.
 */
@Injectable()
export class ExpressTrustProxy implements OnModuleInit {
  constructor(
    @Inject(SSE_RESOLVED_OPTIONS) private readonly options: ResolvedSseOptions,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    if (this.options.trustProxy === undefined) {
      return;
    }
    const app = this.adapterHost.httpAdapter?.getInstance?.() as { set?(name: string, value: unknown): void } | undefined;
    if (typeof app?.set !== 'function') {
      new Logger('SseModule').warn('trustProxy is set but the HTTP adapter is not Express: set it on your adapter');
      return;
    }
    const { trustProxy } = this.options;
    app.set('trust proxy', Array.isArray(trustProxy) ? [...(trustProxy as string[])] : trustProxy);
  }
}
