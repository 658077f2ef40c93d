import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Every 4xx/5xx body (documentation only); it never echoes a token. */
export class ErrorBodyDto {
  @ApiProperty({ example: 403 })
  statusCode!: number;

  @ApiProperty({ example: 'Forbidden' })
  error!: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'This requires the "publisher" role',
  })
  message!: string | string[];

  @ApiPropertyOptional({ description: 'Stable code of a domain error', example: 'TOPIC.NOT_ALLOWED' })
  code?: string;
}
