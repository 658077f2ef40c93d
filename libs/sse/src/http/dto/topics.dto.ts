import { ArrayNotEmpty, IsArray, IsString } from 'class-validator';

/** The body of POST and DELETE /sse/subscriptions. */
export class TopicsDto {
  /** Topic names: 1-128 letters, digits and `_ - . : /`, no empty segment, no `.` or `..` segment. */
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  topics!: string[];
}
