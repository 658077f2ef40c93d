export interface StreamQuery {
  readonly topics: string[];
  /** As the client sent it: one the hub cannot read is not an error (see `ConnectOptions`). */
  readonly lastEventId?: string;
}

/**
 * Reads GET /sse's parameters: `topic` (repeatable) and `topics=a,b` add up; the Last-Event-ID
 * header wins over `lastEventId`, since an EventSource sends the newer one in the header when it
 * reconnects to a URL that still carries the first.
 */
export function parseStreamQuery(
  query: Record<string, unknown>,
  lastEventIdHeader: string | undefined,
): StreamQuery {
  const topics = [...strings(query.topic), ...strings(query.topics).flatMap((t) => t.split(','))];
  const raw = lastEventIdHeader ?? first(query.lastEventId);
  if (raw === undefined || raw === '') {
    return { topics };
  }
  return { topics, lastEventId: raw };
}

function strings(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function first(value: unknown): string | undefined {
  return strings(value)[0];
}
