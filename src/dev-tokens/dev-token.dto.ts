import { ArrayMaxSize, IsArray, IsOptional, IsString, Length } from 'class-validator';

export class DevTokenRequestDto {
  @IsString()
  @Length(1, 256)
  sub!: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @IsString({ each: true })
  roles?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @IsString({ each: true })
  topics?: string[];
}
