import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Param,
  Post,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  NotificationService,
  type DisconnectReceipt,
} from '../application/notification.service.js';
import { JwtClientGuard } from '../auth/jwt-client.guard.js';
import { RequireRole } from '../auth/require-role.decorator.js';
import { PUBLISHER_ROLE } from '../domain/index.js';
import { DomainErrorFilter } from './domain-error.filter.js';
import { DisconnectDto } from './dto/disconnect.dto.js';
import { publishValidationPipe } from './validation.pipe.js';

/** What the server does to a client's streams, for tokens with the `publisher` role. */
@Controller('clients')
@UseGuards(JwtClientGuard)
@RequireRole(PUBLISHER_ROLE)
@UseFilters(DomainErrorFilter)
export class ClientsController {
  constructor(private readonly notifications: NotificationService) {}

  /** Ends the client's streams on every instance; 202 with how many ended. */
  @Post(':clientId/disconnect')
  @HttpCode(202)
  disconnect(
    @Param('clientId') clientId: string,
    @Body(publishValidationPipe) body: DisconnectDto,
  ): Promise<DisconnectReceipt> {
    if (body.data !== undefined && body.event === undefined) {
      throw new BadRequestException('data is sent as a final event: give its event type too');
    }
    return this.notifications.disconnect(clientId, body);
  }
}
