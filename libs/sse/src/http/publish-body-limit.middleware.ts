import { Inject, Injectable, PayloadTooLargeException, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { ResolvedSseOptions } from '../sse-options.validation.js';
import { SSE_RESOLVED_OPTIONS } from '../sse-resolved-options.js';

/**
 * Refuses publish bodies over `maxBodyBytes` with 413. The host app's body parser has already run
 * (with its own, usually larger, limit), so the declared length is checked, or the parsed body's
 * size when the request was sent chunked.
 */
@Injectable()
export class PublishBodyLimitMiddleware implements NestMiddleware {
  constructor(@Inject(SSE_RESOLVED_OPTIONS) private readonly options: ResolvedSseOptions) {}

  use(request: IncomingMessage & { body?: unknown }, _response: unknown, next: () => void): void {
    const limit = this.options.maxBodyBytes;
    const declared = Number(request.headers['content-length']);
    const size = Number.isFinite(declared)
      ? declared
      : Buffer.byteLength(JSON.stringify(request.body ?? null));
    if (size > limit) {
      throw new PayloadTooLargeException(`A publish body has at most ${limit} bytes`);
    }
    next();
  }
}
