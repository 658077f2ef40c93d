import { Body, Controller, HttpCode, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiHeader,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  NotificationService,
  type PublishOptions,
  type PublishReceipt,
} from '../application/notification.service.js';
import { RestPublishOptions } from './publish-options.decorator.js';
import { JwtClientGuard } from '../auth/jwt-client.guard.js';
import { RequireRole } from '../auth/require-role.decorator.js';
import { PUBLISHER_ROLE } from '../domain/index.js';
import { ApiClientAuth } from './api-docs.js';
import { DomainErrorFilter } from './domain-error.filter.js';
import { ErrorBodyDto } from './dto/error-body.dto.js';
import { PublishReceiptDto } from './dto/publish-receipt.dto.js';
import { PublishEventDto } from './dto/publish-event.dto.js';
import { PublishRateGuard } from './rate-limit.guards.js';
import { publishValidationPipe } from './validation.pipe.js';

const ACCEPTED = { description: 'Accepted: the event id and how many local connections took it', type: PublishReceiptDto };

/** Publishing over REST, for tokens with the `publisher` role. Answers 202 with the event id. */
@ApiTags('publishing')
@ApiClientAuth()
@ApiBadRequestResponse({ description: 'A bad event type, target or body', type: ErrorBodyDto })
@ApiPayloadTooLargeResponse({ description: 'The body is over the limit (64 KiB by default)', type: ErrorBodyDto })
@ApiHeader({
  name: 'Idempotency-Key',
  required: false,
  description:
    'Your name for this publish (a UUID; 1-255 visible ASCII characters). Repeated within the idempotency window (5 minutes by default), on any instance, the publish is answered with the first one\'s id, `delivered: 0` and `repeated: true`, and nothing is delivered again.',
})
@Controller('notifications')
@UseGuards(JwtClientGuard, PublishRateGuard)
@RequireRole(PUBLISHER_ROLE)
@UseFilters(DomainErrorFilter)
export class NotificationsController {
  constructor(private readonly notifications: NotificationService) {}

  @Post('clients/:clientId')
  @HttpCode(202)
  @ApiAcceptedResponse(ACCEPTED)
  @ApiOperation({ summary: 'Send an event to every connection of one client (role publisher)' })
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
  @ApiAcceptedResponse(ACCEPTED)
  @ApiOperation({ summary: "Send an event to a topic's subscribers (role publisher)" })
  @ApiParam({ name: 'topic', type: String, description: 'The topic; its slashes may stay as they are', example: 'orders/eu' })
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
  @ApiAcceptedResponse(ACCEPTED)
  @ApiOperation({ summary: 'Send an event to every connection (role publisher)' })
  broadcast(
    @Body(publishValidationPipe) body: PublishEventDto,
    @RestPublishOptions() options: PublishOptions,
  ): Promise<PublishReceipt> {
    return this.notifications.broadcast(body.event, body.data, options);
  }
}
