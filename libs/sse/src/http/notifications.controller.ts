import { Body, Controller, HttpCode, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
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
  constructor(private readonly notifications: NotificationService) {}

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
}
