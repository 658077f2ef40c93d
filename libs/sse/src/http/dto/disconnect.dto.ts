import { Allow, IsBoolean, IsOptional, IsString, Length, Matches } from 'class-validator';

/** The body of `POST /clients/:clientId/disconnect` (all optional; an empty body is fine). */
export class DisconnectDto {
  /** A final event sent to the client's streams before they end. */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(/^[A-Za-z0-9_\-.:]+$/, { message: 'event uses only letters, digits and _ - . :' })
  event?: string;

  /** The final event's data (any JSON value); only with `event`. */
  @Allow()
  data?: unknown;

  /** False: new streams of the client are refused (403) for a while, so EventSource's reconnect does not undo it. */
  @IsOptional()
  @IsBoolean()
  reconnect?: boolean;
}
