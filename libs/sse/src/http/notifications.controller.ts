import {
  Body,
  Controller,
  HttpCode,
  Inject,
  Param,
  Post,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { BatchOutcome, BatchPublication } from '../application/batch-publication.js';
import { CurrentClient } from '../auth/current-client.decorator.js';
import type { ClientPrincipal } from '../domain/index.js';
import { SSE_RESOLVED_OPTIONS, type ResolvedSseOptions } from '../sse-resolved-options.js';
import { publicationOf, publicationsOf } from './batch-body.js';
import { errorResponseOf } from './error-response.js';
import {
  NotificationService,
  type PublishOptions,
  type PublishReceipt,
} from '../application/notification.service.js';
import { RestPublishOptions } from './publish-options.decorator.js';
import { JwtClientGuard } from '../auth/jwt-client.guard.js';
import { RequireRole } from '../auth/require-role.decorator.js';
import { PUBLISHER_ROLE } from '../domain/index.js';
import { DomainErrorFilter } from './domain-error.filter.js';
import { PublishEventDto } from './dto/publish-event.dto.js';
import { PublishRateGuard } from './rate-limit.guards.js';
import { publishValidationPipe } from './validation.pipe.js';

/** Publishing over REST, for tokens with the `publisher` role. Answers 202 with the event id. */
@Controller('notifications')
@UseGuards(JwtClientGuard, PublishRateGuard)
@RequireRole(PUBLISHER_ROLE)
@UseFilters(DomainErrorFilter)
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationService,
    private readonly publishRate: PublishRateGuard,
    @Inject(SSE_RESOLVED_OPTIONS) private readonly options: ResolvedSseOptions,
  ) {}

  @Post('clients/:clientId')
  @HttpCode(202)
  toClient(
    @Param('clientId') clientId: string,
    @Body(publishValidationPipe) body: PublishEventDto,
    @RestPublishOptions() options: PublishOptions,
  ): Promise<PublishReceipt> {
    return this.notifications.sendToClient(clientId, body.event, body.data, options);
  }

  /** Topics contain slashes: `topics/a/b` and `topics/a%2Fb` both name `a/b`. */
  @Post('topics/*topic')
  @HttpCode(202)
  toTopic(
    @Param('topic') topic: string | string[],
    @Body(publishValidationPipe) body: PublishEventDto,
    @RestPublishOptions() options: PublishOptions,
  ): Promise<PublishReceipt> {
    const name = Array.isArray(topic) ? topic.join('/') : topic;
    return this.notifications.sendToTopic(name, body.event, body.data, options);
  }

  @Post('broadcast')
  @HttpCode(202)
  broadcast(
    @Body(publishValidationPipe) body: PublishEventDto,
    @RestPublishOptions() options: PublishOptions,
  ): Promise<PublishReceipt> {
    return this.notifications.broadcast(body.event, body.data, options);
  }

  /**
   * Many publications in one request, accepted in order; 200 with one receipt or error per item,
   * in the same order. A bad item is refused alone. Each item counts against the publish rate.
   */
  @Post('batch')
  @HttpCode(200)
  async batch(
    @CurrentClient() publisher: ClientPrincipal,
    @Body() body: unknown,
  ): Promise<BatchReceiptsBody> {
    const items = publicationsOf(body, this.options.maxBatchSize);
    this.publishRate.countMore(publisher.clientId, items.length - 1);
    const parsed = items.map((item) => publicationOf(item, publisher.clientId));
    const outcomes = await this.notifications.publishBatch(
      parsed.filter((item): item is BatchPublication => !(item instanceof Error)),
    );
    let next = 0;
    return {
      receipts: parsed.map((item) =>
        receiptOf(item instanceof Error ? { error: item } : outcomes[next++]),
      ),
    };
  }
}

/** The answer of `POST /notifications/batch`. */
interface BatchReceiptsBody {
  receipts: (PublishReceipt | { error: { statusCode: number; message: unknown } })[];
}

function receiptOf(outcome: BatchOutcome<PublishReceipt>): BatchReceiptsBody['receipts'][number] {
  if (!('error' in outcome)) {
    return outcome;
  }
  const { status, body } = errorResponseOf(outcome.error);
  // A failure that is not the item's fault (a bug) says no more than a 500 would.
  return { error: { statusCode: status, message: body.message } };
}
