import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Post,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { SubscriptionService } from '../application/subscription.service.js';
import { CurrentClient } from '../auth/current-client.decorator.js';
import { JwtClientGuard } from '../auth/jwt-client.guard.js';
import type { ClientPrincipal } from '../domain/index.js';
import { DomainErrorFilter } from './domain-error.filter.js';
import { TopicsDto } from './dto/topics.dto.js';
import { sseValidationPipe } from './validation.pipe.js';

export interface TopicsResponse {
  topics: string[];
}

/**
 * The caller's own topics, shared by all its connections. Each request sees and changes only the
 * topics its own token allows, whatever another token of the same client subscribed.
 */
@Controller('sse/subscriptions')
@UseGuards(JwtClientGuard)
@UseFilters(DomainErrorFilter)
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionService) {}

  @Get()
  async list(@CurrentClient() client: ClientPrincipal): Promise<TopicsResponse> {
    return { topics: await this.subscriptions.list(client) };
  }

  @Post()
  @HttpCode(200)
  async subscribe(
    @CurrentClient() client: ClientPrincipal,
    @Body(sseValidationPipe) body: TopicsDto,
  ): Promise<TopicsResponse> {
    return { topics: await this.subscriptions.subscribe(client, body.topics) };
  }

  @Delete()
  async unsubscribe(
    @CurrentClient() client: ClientPrincipal,
    @Body(sseValidationPipe) body: TopicsDto,
  ): Promise<TopicsResponse> {
    return { topics: await this.subscriptions.unsubscribe(client, body.topics) };
  }
}
