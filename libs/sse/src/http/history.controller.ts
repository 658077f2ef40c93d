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
  TopicHistoryService,
  type TopicHistoryPage,
} from '../application/topic-history.service.js';
import { CurrentClient } from '../auth/current-client.decorator.js';
import { JwtClientGuard } from '../auth/jwt-client.guard.js';
import type { ClientPrincipal } from '../domain/index.js';
import { DomainErrorFilter } from './domain-error.filter.js';
import { pageLimitOf, refuseUnknownQuery } from './page-limit.js';

/**
 * A topic's events still in history, for a first render before the stream opens: any client for a
 * topic its token allows, publishers for every topic.
 */
@Controller('history')
@UseGuards(JwtClientGuard)
@UseFilters(DomainErrorFilter)
export class HistoryController {
  constructor(private readonly history: TopicHistoryService) {}

  /** Topics contain slashes: `topics/a/b` and `topics/a%2Fb` both name `a/b`. */
  @Get('topics/*topic')
  topic(
    @CurrentClient() client: ClientPrincipal,
    @Param('topic') topic: string | string[],
    @Query() query: Record<string, unknown>,
  ): Promise<TopicHistoryPage> {
    const { after, before, limit } = query;
    refuseUnknownQuery(query, ['after', 'before', 'limit']);
    if (after !== undefined && before !== undefined)
      throw new BadRequestException('Use after or before, not both');
    if (
      (after !== undefined && typeof after !== 'string') ||
      (before !== undefined && typeof before !== 'string')
    ) {
      throw new BadRequestException('after and before are one event id each');
    }
    return this.history.read(client, Array.isArray(topic) ? topic.join('/') : topic, {
      after,
      before,
      limit: pageLimitOf(limit),
    });
  }
}
