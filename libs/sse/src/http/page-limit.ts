import { BadRequestException } from '@nestjs/common';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1_000;

/**
 * The `limit` query parameter of the paged routes (history, presence): 1-1000, default 100.
 * @throws BadRequestException for anything else
 */
export function pageLimitOf(raw: unknown): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  const limit = typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) throw new BadRequestException(`limit is 1-${MAX_LIMIT}`);
  return limit;
}

/** @throws BadRequestException naming query parameters a paged route does not take */
export function refuseUnknownQuery(query: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(query).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new BadRequestException(`Unknown query parameters: ${unknown.join(', ')}`);
}
