import {
  BadRequestException,
  Controller,
  Get,
  Param,
  Query,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  NotificationService,
  type ClientPresence,
  type TopicPresence,
} from '../application/notification.service.js';
import { JwtClientGuard } from '../auth/jwt-client.guard.js';
import { RequireRole } from '../auth/require-role.decorator.js';
import { PUBLISHER_ROLE } from '../domain/index.js';
import { DomainErrorFilter } from './domain-error.filter.js';
import { pageLimitOf, refuseUnknownQuery } from './page-limit.js';

/** Who is connected, across every instance, for tokens with the `publisher` role. */
@Controller('presence')
@UseGuards(JwtClientGuard)
@RequireRole(PUBLISHER_ROLE)
@UseFilters(DomainErrorFilter)
export class PresenceController {
  constructor(private readonly notifications: NotificationService) {}

  @Get('clients/:clientId')
  client(@Param('clientId') clientId: string): Promise<ClientPresence> {
    return this.notifications.presenceOf(clientId);
  }

  /** Topics contain slashes: `topics/a/b` and `topics/a%2Fb` both name `a/b`. */
  @Get('topics/*topic')
  topic(
    @Param('topic') topic: string | string[],
    @Query() query: Record<string, unknown>,
  ): Promise<TopicPresence> {
    const { limit, cursor } = query;
    refuseUnknownQuery(query, ['limit', 'cursor']);
    if (cursor !== undefined && (typeof cursor !== 'string' || cursor === '')) {
      throw new BadRequestException('cursor is the value a previous page answered');
    }
    return this.notifications.topicPresence(Array.isArray(topic) ? topic.join('/') : topic, {
      limit: pageLimitOf(limit),
      cursor,
    });
  }
}
