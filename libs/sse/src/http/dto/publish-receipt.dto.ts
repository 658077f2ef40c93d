import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { PublishReceipt } from '../../application/notification.service.js';

/** The answer to a publish (documentation of `PublishReceipt`). */
export class PublishReceiptDto implements PublishReceipt {
  @ApiProperty({ description: "The event's id in the hub-wide order (opaque)", example: '1764391038123-0' })
  id!: string;

  @ApiProperty({ description: 'Connections on this instance that took the event', example: 2 })
  delivered!: number;

  @ApiPropertyOptional({ description: 'True when the Idempotency-Key repeated an earlier publish: nothing was delivered again', example: true })
  repeated?: boolean;
}
