
/** Every topic the client holds, after the change. */
export class TopicsResponseDto {
  topics!: string[];
}
