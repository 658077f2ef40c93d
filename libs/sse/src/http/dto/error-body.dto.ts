/** Every 4xx/5xx body (documentation only: see api-docs.ts); it never echoes a token. */
export class ErrorBodyDto {
  statusCode!: number;

  error!: string;

  message!: string | string[];

  code?: string;
}
