import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { PublishOptions } from '../application/notification.service.js';
import { principalOf } from '../auth/request-principal.js';
import { InvalidIdempotencyKeyError } from '../domain/index.js';

/** An `Idempotency-Key` header: what clients send (a UUID, say). */
const HEADER_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The publish options a REST publish carries: its `Idempotency-Key` header, if any, scoped to the
 * publisher (`<client id>:<key>`), so one publisher's keys never collide with another's. A bad
 * header is a 400 (`PUBLISH.INVALID_IDEMPOTENCY_KEY`) and nothing is published.
 */
export const RestPublishOptions = createParamDecorator((_data: unknown, context: ExecutionContext): PublishOptions => {
  const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
  const header = request.headers['idempotency-key'];
  if (header === undefined) {
    return {};
  }
  if (typeof header !== 'string' || !HEADER_KEY.test(header)) {
    throw new InvalidIdempotencyKeyError('the Idempotency-Key header is 1-255 visible ASCII characters, without spaces');
  }
  return { idempotencyKey: `${principalOf(request)?.clientId ?? ''}:${header}` };
});
