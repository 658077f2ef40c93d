import { Inject, Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import {
  BrokerUnavailableError,
  ClosedTransportError,
  HubFullError,
  IdentityProviderUnavailableError,
  RateLimitedError,
} from '../domain/index.js';
import { SseMetricsService } from '../observability/sse-metrics.service.js';
import { SSE_RESOLVED_OPTIONS, type ResolvedSseOptions } from '../sse-resolved-options.js';
import { SSE_HEADERS } from './sse-response-writer.js';

/** Why a stream was not opened now although the client did nothing wrong. */
export type StreamRetryReason =
  | 'rate_limited'
  | 'instance_full'
  | 'shutting_down'
  | 'broker_unavailable'
  | 'identity_provider_unavailable';

/** The header that names the reason, for clients that are not an EventSource. */
export const RETRY_REASON_HEADER = 'X-SSE-Retry-Reason';

/**
 * The answers of `GET /sse` for the cases where the client did nothing wrong and only has to come
 * back later: too many connection attempts from its address, this instance full or shutting
 * down, the broker or the identity provider briefly unreachable.
 *
 * A native EventSource gives up for good on any non-200 answer, so a 429 or 503 would strand every
 * browser that reconnects during a storm or a rolling deploy until its user reloads the page.
 * These cases are answered 200 `text/event-stream` with a comment naming the reason and a
 * `retry:` field, and the stream ends at once: the browser reconnects after that delay, through
 * the load balancer, perhaps to another instance. The delay is spread at random over
 * [base, 2 x base] so that clients refused together do not all come back together. Other clients
 * read the same reason and delay from the `X-SSE-Retry-Reason` and `Retry-After` headers.
 *
 * Real errors (a bad token, a forbidden topic, too many streams of one client, bad input) stay
 * 4xx: coming back would not change them.
 */
@Injectable()
export class StreamRetryAnswers {
  constructor(
    @Inject(SSE_RESOLVED_OPTIONS) private readonly options: ResolvedSseOptions,
    private readonly metrics: SseMetricsService,
  ) {}

  /** Answers `error` as a retry when it is one of those cases; false (nothing written) otherwise. */
  answer(error: unknown, response: ServerResponse): boolean {
    const reason = retryReasonOf(error);
    if (reason === undefined) {
      return false;
    }
    const message = error instanceof Error ? error.message : reason;
    const waitMs = error instanceof RateLimitedError || error instanceof IdentityProviderUnavailableError ? error.retryAfterMs : 0;
    this.write(response, reason, message, waitMs);
    return true;
  }

  /** The answer while this instance shuts down: come back (to another instance) soon. */
  shuttingDown(response: ServerResponse): void {
    this.write(response, 'shutting_down', 'this instance is shutting down', 0);
  }

  private write(response: ServerResponse, reason: StreamRetryReason, message: string, waitMs: number): void {
    const base = Math.max(this.options.retryMs, waitMs, 1);
    const delayMs = Math.round(base + Math.random() * base);
    response.writeHead(200, {
      ...SSE_HEADERS,
      Connection: 'close',
      'Retry-After': String(Math.ceil(delayMs / 1000)),
      [RETRY_REASON_HEADER]: reason,
    });
    // A comment first (EventSource ignores it), then the delay; no id, so the browser keeps
    // sending the Last-Event-ID it had.
    response.end(`: ${reason}: ${message.replace(/[\r\n]+/g, ' ')}\nretry: ${delayMs}\n\n`);
    this.metrics.streamRetryAnswered(reason);
  }
}

/** The reason for a retry answer, or undefined for an error that coming back would not change. */
export function retryReasonOf(error: unknown): StreamRetryReason | undefined {
  if (error instanceof RateLimitedError) return 'rate_limited';
  if (error instanceof HubFullError) return 'instance_full';
  if (error instanceof BrokerUnavailableError) return 'broker_unavailable';
  if (error instanceof ClosedTransportError) return 'shutting_down';
  if (error instanceof IdentityProviderUnavailableError) return 'identity_provider_unavailable';
  return undefined;
}
