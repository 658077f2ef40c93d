import { Body, Controller, Delete, Get, HttpCode, Post, UseFilters, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { SubscriptionService } from '../application/subscription.service.js';
import { CurrentClient } from '../auth/current-client.decorator.js';
import { JwtClientGuard } from '../auth/jwt-client.guard.js';
import type { ClientPrincipal } from '../domain/index.js';
import { ApiClientAuth } from './api-docs.js';
import { DomainErrorFilter } from './domain-error.filter.js';
import { ErrorBodyDto } from './dto/error-body.dto.js';
import { TopicsResponseDto } from './dto/topics-response.dto.js';
import { TopicsDto } from './dto/topics.dto.js';
import { sseValidationPipe } from './validation.pipe.js';

export interface TopicsResponse {
  topics: string[];
}

/**
 * The caller's own topics, shared by all its connections. Each request sees and changes only the
 * topics its own token allows, whatever another token of the same client subscribed.
 */
@ApiTags('subscriptions')
@ApiClientAuth()
@ApiOkResponse({
  description: "The client's current topics that the caller's token allows (its `topics` claim)",
  type: TopicsResponseDto,
})
@Controller('sse/subscriptions')
@UseGuards(JwtClientGuard)
@UseFilters(DomainErrorFilter)
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionService) {}

  @Get()
  @ApiOperation({ summary: "The caller's topics" })
  async list(@CurrentClient() client: ClientPrincipal): Promise<TopicsResponse> {
    return { topics: await this.subscriptions.list(client) };
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Subscribe the caller (all its connections) to topics' })
  @ApiBadRequestResponse({ description: 'A bad topic name, or too many topics', type: ErrorBodyDto })
  @ApiForbiddenResponse({ description: "A topic outside the token's `topics` claim; nothing changes", type: ErrorBodyDto })
  async subscribe(
    @CurrentClient() client: ClientPrincipal,
    @Body(sseValidationPipe) body: TopicsDto,
  ): Promise<TopicsResponse> {
    return { topics: await this.subscriptions.subscribe(client, body.topics) };
  }

  @Delete()
  @ApiOperation({ summary: 'Unsubscribe the caller from topics' })
  @ApiBadRequestResponse({ description: 'A bad topic name', type: ErrorBodyDto })
  @ApiForbiddenResponse({ description: "A topic outside the token's `topics` claim; nothing changes", type: ErrorBodyDto })
  async unsubscribe(
    @CurrentClient() client: ClientPrincipal,
    @Body(sseValidationPipe) body: TopicsDto,
  ): Promise<TopicsResponse> {
    return { topics: await this.subscriptions.unsubscribe(client, body.topics) };
  }
}
