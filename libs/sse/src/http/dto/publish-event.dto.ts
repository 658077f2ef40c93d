import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches, ValidateBy } from 'class-validator';

/** The body of every publish route. */
export class PublishEventDto {
  /** The SSE event type: 1-64 letters, digits and `_ - . :`. */
  @ApiProperty({
    description: 'The SSE event type (`event:` line): 1-64 letters, digits and `_ - . :`',
    minLength: 1,
    maxLength: 64,
    pattern: '^[A-Za-z0-9_\\-.:]+$',
    example: 'order.shipped',
  })
  @IsString()
  @Length(1, 64)
  @Matches(/^[A-Za-z0-9_\-.:]+$/, { message: 'event uses only letters, digits and _ - . :' })
  event!: string;

  /** Any JSON value; objects reach clients as JSON. */
  @ApiProperty({
    description: 'Any JSON value; strings are sent as they are, everything else as JSON',
    oneOf: [
      { type: 'object' },
      { type: 'array', items: {} },
      { type: 'string' },
      { type: 'number' },
      { type: 'boolean' },
    ],
    nullable: true,
    example: { orderId: 42 },
  })
  @ValidateBy({
    name: 'isPresent',
    validator: {
      validate: (value: unknown) => value !== undefined,
      defaultMessage: () => 'data is required (any JSON value)',
    },
  })
  data!: unknown;
}
