import {
  Inject,
  Injectable,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
  type NestMiddleware,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { SSE_RESOLVED_OPTIONS, type ResolvedSseOptions } from '../sse-resolved-options.js';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * The module's routes take JSON bodies of at most `maxBodyBytes`: anything else is 415 or 413.
 * (A form body would otherwise be parsed by the host's urlencoded parser and pass validation.)
 * The host app's body parser has already run, with its own limit, so the declared length is
 * checked, or the parsed body's size when the request was sent chunked.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  constructor(@Inject(SSE_RESOLVED_OPTIONS) private readonly options: ResolvedSseOptions) {}

  use(request: IncomingMessage & { body?: unknown }, _response: unknown, next: () => void): void {
    if (request.method === 'GET' || request.method === 'HEAD') {
      next();
      return;
    }
    const limit = this.options.maxBodyBytes;
    const declared = Number(request.headers['content-length']);
    const size = Number.isFinite(declared)
      ? declared
      : Buffer.byteLength(JSON.stringify(request.body ?? null) ?? '');
    if (size > limit) {
      throw new PayloadTooLargeException(`A body has at most ${limit} bytes`);
    }
    const type = request.headers['content-type'];
    if (size > 0 && (type === undefined || !JSON_TYPE.test(type))) {
      throw new UnsupportedMediaTypeException('Bodies are JSON (Content-Type: application/json)');
    }
    next();
  }
}
