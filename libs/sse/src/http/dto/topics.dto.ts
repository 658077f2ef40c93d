import { ApiProperty } from '@nestjs/swagger';
import { ArrayNotEmpty, IsArray, IsString } from 'class-validator';

/** The body of POST and DELETE /sse/subscriptions. */
export class TopicsDto {
  /** Topic names: 1-128 letters, digits and `_ - . : /`, no empty segment, no `.` or `..` segment. */
  @ApiProperty({
    description: 'Topic names: 1-128 letters, digits and `_ - . : /`, no empty segment, no `.` or `..` segment',
    type: [String],
    minItems: 1,
    example: ['orders/eu', 'demo/metrics'],
  })
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  topics!: string[];
}
