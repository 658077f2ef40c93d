import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length } from 'class-validator';

export class DevTokenRequestDto {
  @ApiProperty({ description: 'The client id (`sub` claim)', minLength: 1, maxLength: 256, example: 'alice' })
  @IsString()
  @Length(1, 256)
  sub!: string;

  @ApiPropertyOptional({ description: '`roles` claim; `publisher` may publish', type: [String], maxItems: 16, example: ['publisher'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @IsString({ each: true })
  roles?: string[];

  @ApiPropertyOptional({
    description: '`topics` claim: patterns the client may subscribe to (`*` one segment, trailing `#` the rest); none allows every topic',
    type: [String],
    maxItems: 256,
    example: ['orders/*', 'demo/#'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @IsString({ each: true })
  topics?: string[];
}
