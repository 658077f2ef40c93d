import { ApiProperty } from '@nestjs/swagger';

/** Every topic the client holds, after the change. */
export class TopicsResponseDto {
  @ApiProperty({ type: [String], example: ['orders/eu'] })
  topics!: string[];
}
