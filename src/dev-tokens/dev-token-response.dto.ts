import { ApiProperty } from '@nestjs/swagger';

export class DevTokenResponseDto {
  @ApiProperty({ description: 'An HS256 JWT, valid for 12 hours' })
  token!: string;
}
