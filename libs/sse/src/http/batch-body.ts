import { BadRequestException } from '@nestjs/common';
import type { BatchPublication } from '../application/batch-publication.js';

/**
 * The publications of a `POST /notifications/batch` body, checked only as a whole here: each
 * publication is checked on its own when published, so one bad item is refused alone (a
 * class-validator pass over every item would cost more than publishing it).
 * @throws BadRequestException when the body is not `{ publications: [1..max items] }`
 */
export function publicationsOf(body: unknown, max: number): unknown[] {
  const publications = (body as { publications?: unknown } | null)?.publications;
  if (typeof body !== 'object' || body === null || !Array.isArray(publications)) {
    throw new BadRequestException('The body is { "publications": [ ... ] }');
  }
  const extra = Object.keys(body).filter((key) => key !== 'publications');
  if (extra.length > 0) {
    throw new BadRequestException(`Unknown fields: ${extra.join(', ')}`);
  }
  if (publications.length === 0 || publications.length > max) {
    throw new BadRequestException(`A batch has 1-${max} publications`);
  }
  return publications;
}

/**
 * One item as the service takes it, its idempotency key scoped to the publisher as the
 * `Idempotency-Key` header is (`<client id>:<key>`), or the 400 that refuses this item alone (not
 * an object, or unknown fields, as the single routes refuse them).
 */
export function publicationOf(
  item: unknown,
  publisherId: string,
): BatchPublication | BadRequestException {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return new BadRequestException('A publication is { target, event, data?, idempotencyKey? }');
  }
  const { target, event, data, idempotencyKey, ...rest } = item as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) {
    return new BadRequestException(`Unknown fields: ${unknown.join(', ')}`);
  }
  return {
    target: target as BatchPublication['target'],
    event: event as string,
    data,
    // Not a string: left as it is, for the service to refuse this item.
    idempotencyKey:
      typeof idempotencyKey === 'string'
        ? `${publisherId}:${idempotencyKey}`
        : (idempotencyKey as undefined),
  };
}
