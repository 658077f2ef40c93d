import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface ReceivedEvent {
  readonly id?: string;
  readonly event?: string;
  readonly data: string;
}

export interface SseReader {
  readonly status: number;
  readonly headers: Headers;
  /** Every event in arrival order (the `connected` greeting included). */
  readonly events: ReceivedEvent[];
  /** Comment lines (heartbeats), without the leading colon. */
  readonly comments: string[];
  /** The `retry:` value, once sent. */
  readonly retry: () => number | undefined;
  /** Resolves when the server ends the stream (or the reader is closed). */
  readonly ended: Promise<void>;
  /** Events of one type. */
  ofType(type: string): ReceivedEvent[];
  /** Waits until `count` events of `type` have arrived, then returns them. */
  waitForEvents(type: string, count: number, timeoutMs?: number): Promise<ReceivedEvent[]>;
  close(): void;
}

export interface OpenOptions {
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

/**
 * A spec-compliant SSE reader over fetch and eventsource-parser. Unlike EventSource it shows
 * comments and the end of the stream, and does not reconnect, so tests see exactly what the
 * server sent.
 */
export async function openSse(
  url: string,
  { token, headers = {} }: OpenOptions = {},
): Promise<SseReader> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    signal: controller.signal,
  });
  const events: ReceivedEvent[] = [];
  const comments: string[] = [];
  let retry: number | undefined;
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((wake) => wake());
  const parser = createParser({
    onEvent: (message: EventSourceMessage) => {
      events.push({ id: message.id, event: message.event, data: message.data });
      notify();
    },
    onComment: (comment) => {
      comments.push(comment);
      notify();
    },
    onRetry: (ms) => {
      retry = ms;
    },
  });
  let finished = false;
  const ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) {
        parser.feed(decoder.decode(chunk, { stream: true }));
      }
    } catch {
      // aborted by close(), or the server dropped the connection
    } finally {
      finished = true;
      notify();
    }
  })();

  const reader: SseReader = {
    status: response.status,
    headers: response.headers,
    events,
    comments,
    retry: () => retry,
    ended,
    ofType: (type) => events.filter((e) => e.event === type),
    waitForEvents: (type, count, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = reader.ofType(type);
          if (found.length >= count) {
            done();
            resolve(found);
          } else if (finished) {
            done();
            reject(new Error(`stream ended with ${found.length}/${count} "${type}" events`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(`timed out with ${reader.ofType(type).length}/${count} "${type}" events`),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    close: () => controller.abort(),
  };
  return reader;
}

/** Opens a stream and waits for its `connected` greeting; returns the reader and the greeting. */
export async function connect(
  url: string,
  options: OpenOptions = {},
): Promise<
  SseReader & {
    greeting: { clientId: string; connectionId: string; recovered?: boolean };
    greetingId?: string;
  }
> {
  const reader = await openSse(url, options);
  if (reader.status !== 200) {
    throw new Error(`stream answered ${reader.status}`);
  }
  const [connected] = await reader.waitForEvents('connected', 1);
  return Object.assign(reader, { greeting: JSON.parse(connected.data), greetingId: connected.id });
}
