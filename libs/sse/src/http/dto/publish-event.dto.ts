import { IsString, Length, Matches, ValidateBy } from 'class-validator';

/** The body of every publish route. */
export class PublishEventDto {
  /** The SSE event type: 1-64 letters, digits and `_ - . :`. */
  @IsString()
  @Length(1, 64)
  @Matches(/^[A-Za-z0-9_\-.:]+$/, { message: 'event uses only letters, digits and _ - . :' })
  event!: string;

  /** Any JSON value; objects reach clients as JSON. */
  @ValidateBy({
    name: 'isPresent',
    validator: {
      validate: (value: unknown) => value !== undefined,
      defaultMessage: () => 'data is required (any JSON value)',
    },
  })
  data!: unknown;
}
